"""Backups that restore, as an operator does it: the demo's server is backed up (`manage.py backup`), the
backup restored into a new empty database, storage and signing folder (`manage.py restore`), and the
restored copy's /verify/ finds every published PDF authentic. On the database the suite runs on:
PostgreSQL in CI (pg_dump and pg_restore), SQLite in `make test`."""

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.processes import free_port_pair, manage, serving, start

pytestmark = pytest.mark.slow  # servers and databases of their own (make test-all)

SERVER_URL = os.environ.get("DATABASE_URL", "")


@pytest.fixture
def new_database(tmp_path) -> Iterator:
    """`new_database("name")`: the URL of a new, empty database, dropped at the end."""
    made = []

    def make(name: str) -> str:
        if not SERVER_URL.startswith("postgres"):
            return f"sqlite:///{tmp_path / name}.sqlite3"
        database = f"backup_{name}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_url_of(SERVER_URL, "postgres"), autocommit=True) as server:
            server.execute(f'CREATE DATABASE "{database}"')
        made.append(database)
        return _url_of(SERVER_URL, database)

    yield make
    if made:
        with psycopg.connect(_url_of(SERVER_URL, "postgres"), autocommit=True) as server:
            for database in made:
                server.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _url_of(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


@pytest.fixture
def pki_url() -> str:
    """The demo PKI's responder that the first server's certificates name, for both servers' signatures
    and checks (production's is the accredited provider's, outside the backup). Its port is picked when the
    test starts, shortly before the responder takes it: picked when the module was imported, it was once
    taken by another test's server by then. The port after it, its signing service's, is free too."""
    return f"http://127.0.0.1:{free_port_pair()}"


def server(root: Path, database_url: str, pki_url: str) -> dict[str, str]:
    """The environment of one server: its database, its storage and its signing folder under `root`."""
    return {
        "SIGNING_DEMO_PKI_URL": pki_url,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(root / "media"),
        "SIGNING_PKCS12": str(root / "signing" / "institution.p12"),
        "SIGNING_TRUST_ROOTS": str(root / "signing" / "ca.pem"),
        "SIGNING_PASSPHRASE": "demo-signing-passphrase",
        "DEMO_ALLOWED": "1",
        "ALLOWED_HOSTS": "testserver",
        "SITE_URL": "https://conseil.example.ma",  # a production server's: HTTPS (passkeys require it)
        "SECURE_SSL_REDIRECT": "0",
    }


def ran(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


VERIFY_EVERY_PUBLISHED_PDF = """
import django; django.setup()
from django.test import Client
from meetings.models import Minutes
client = Client()
for minutes in Minutes.objects.published().order_by("pk"):
    with minutes.pdf.open("rb") as file:
        page = client.post("/verify/", {"file": file}).content.decode()
    print(minutes.pdf.name, "verdict-authentic" in page)
"""


def test_a_backup_restores_into_an_empty_server_whose_verify_page_finds_the_minutes_authentic(
    tmp_path, new_database, object_storage, pki_url
):
    first = server(tmp_path / "first", new_database("first"), pki_url)
    for command in (["migrate", "--noinput"], ["init_signing"]):
        ran(manage(*command, **first))
    log = tmp_path / "serve_demo_pki.log"
    with serving("serve_demo_pki", log=log, **first) as pki:
        waited = manage("serve_demo_pki", "--wait", **first)
        state = "running" if pki.poll() is None else f"exited with {pki.returncode}"
        assert waited.returncode == 0, (
            f"{waited.stderr}\nThe server, {state}, said:\n{log.read_text()[-3000:]}"
        )
        ran(manage("load_demo", **first))
        backup = tmp_path / "backup"

        said = ran(manage("backup", str(backup), **first))

        manifest = json.loads((backup / "manifest.json").read_text())
        assert manifest["signed_versions"] >= 2
        assert f"{manifest['signed_versions']} signed versions" in said
        assert not (tmp_path / "first" / "signing" / "institution.p12").read_bytes().startswith(b"-----")
        # A second server: a new database, no signing material, and its files in an object store's
        # bucket (STORAGE_URL), empty: a backup moves a server from a folder to a bucket too.
        prefix = f"restored-{uuid.uuid4().hex[:8]}"
        second = server(tmp_path / "second", new_database("second"), pki_url)
        second["STORAGE_URL"] = object_storage.storage_url(prefix)

        said = ran(manage("restore", str(backup), **second))

        assert f"Restored from {backup}: {manifest['signed_versions']} signed versions" in said
        verdicts = ran(start(VERIFY_EVERY_PUBLISHED_PDF, **second)).split("\n")
    published = [line for line in verdicts if line]
    assert len(published) >= 2
    assert all(line.endswith(" True") for line in published), published
    in_bucket = object_storage.objects(prefix)
    for line in published:
        name = line.split()[0]
        assert in_bucket[name] == (tmp_path / "first" / "media" / name).read_bytes()
    assert not (tmp_path / "second" / "media").exists()


def test_a_restore_refuses_a_database_that_is_not_empty_and_a_damaged_backup(tmp_path, new_database, pki_url):
    first = server(tmp_path / "first", new_database("first"), pki_url)
    for command in (["migrate", "--noinput"], ["init_signing"]):
        ran(manage(*command, **first))
    backup = tmp_path / "backup"
    ran(manage("backup", str(backup), **first))

    into_itself = manage("restore", str(backup), **first)

    assert into_itself.returncode != 0
    assert "The database is not empty" in into_itself.stderr
    (backup / "media.tar").write_bytes(b"damaged")
    damaged = manage("restore", str(backup), **server(tmp_path / "second", new_database("second"), pki_url))
    assert damaged.returncode != 0
    assert "media.tar is missing or damaged" in damaged.stderr


def test_a_restore_refuses_a_bucket_that_holds_files(tmp_path, new_database, object_storage, pki_url):
    first = server(tmp_path / "first", new_database("first"), pki_url)
    for command in (["migrate", "--noinput"], ["init_signing"]):
        ran(manage(*command, **first))
    backup = tmp_path / "backup"
    ran(manage("backup", str(backup), **first))
    prefix = f"taken-{uuid.uuid4().hex[:8]}"
    object_storage.client().put_object(Bucket="entraide", Key=f"{prefix}/minutes/signed/x.pdf", Body=b"%PDF")
    second = server(tmp_path / "second", new_database("second"), pki_url)
    second["STORAGE_URL"] = object_storage.storage_url(prefix)

    refused = manage("restore", str(backup), **second)

    assert refused.returncode != 0
    assert "The bucket entraide holds files: a backup is restored into an empty storage." in refused.stderr
    assert object_storage.objects(prefix) == {"minutes/signed/x.pdf": b"%PDF"}


@pytest.mark.skipif(not SERVER_URL.startswith("postgres"), reason="PostgreSQL's roles (bash .ci/run)")
def test_a_backup_as_the_application_role_is_refused_and_leaves_nothing_that_looks_like_one(
    tmp_path, new_database, application_role_of, pki_url
):
    owner = server(tmp_path / "first", new_database("first"), pki_url)
    for command in (["migrate", "--noinput"], ["init_signing"]):
        ran(manage(*command, **owner))
    application = {**owner, "DATABASE_URL": application_role_of(owner["DATABASE_URL"])}
    backup = tmp_path / "backups" / "entraide-2026-12-06"

    refused = manage("backup", str(backup), **application)

    assert refused.returncode != 0
    assert "permission denied" in refused.stderr and "set BACKUP_DATABASE_URL" in refused.stderr
    assert list((tmp_path / "backups").iterdir()) == []  # no folder, no partial dump

    said = ran(manage("backup", str(backup), **application, BACKUP_DATABASE_URL=owner["DATABASE_URL"]))

    assert "database.dump" in said and "readable by their owner only" in said
    assert (backup / "database.dump").stat().st_size > 10_000
    assert {oct(path.stat().st_mode & 0o777) for path in [backup, *backup.rglob("*")]} <= {"0o700", "0o600"}


@pytest.fixture
def application_role_of() -> Iterator:
    """`application_role_of(url)`: the URL of a new role given what the application's role is given
    (`grant_application_role`) on the database of `url`; dropped at the end."""
    made = []

    def make(url: str) -> str:
        role = f"backup_app_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as database:
            database.execute(f"CREATE ROLE {role} LOGIN")
        made.append((role, url))
        ran(manage("grant_application_role", role, DATABASE_URL=url))
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, f"{role}@{parts.hostname}:{parts.port}", parts.path, "", ""))

    yield make
    for role, url in made:  # its privileges in its database first, then the role
        with psycopg.connect(url, autocommit=True) as database:
            database.execute(f"DROP OWNED BY {role}")
            database.execute(f"DROP ROLE {role}")
