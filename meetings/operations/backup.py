"""A backup of the whole record and its restore (`manage.py backup` and `manage.py restore`).

A backup is a folder of four things, each with its SHA-256 in `manifest.json`:

- the database: PostgreSQL's own dump (`pg_dump --format=custom`), or a copy of the SQLite file made
  with SQLite's backup API (consistent while the app runs);
- the stored files that the database names (the signed PDFs and their archived copies, the session
  documents, the previews), read through the storage API from MEDIA_ROOT or the bucket of STORAGE_URL,
  as a tar archive;
- the signing material: the institution's PKCS#12, whose key stays encrypted by its passphrase (the
  passphrase is never in a backup: it is kept apart, README «Production»), and the trust roots, without
  which /verify/ cannot check a thing.

Both connect to the database as its owner when BACKUP_DATABASE_URL names it (the application's role may
not read every table, nor create them: docs/database-roles.md), through the `backup` alias; otherwise as
DATABASE_URL says. A backup is written into a hidden folder beside the one asked for, readable by its
owner only (it holds password hashes, second-factor secrets and sessions), and takes the asked name only
once whole: a failure leaves nothing that looks like a backup.

`restore` checks every file against the manifest before it touches anything, then brings them back into
an empty database and an empty storage, and checks that every signed version's file is there with its
SHA-256. It never overwrites: a database with tables, a storage with files or a different signing file
in place is refused.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.migrations.recorder import MigrationRecorder

from ..models import Minutes

MANIFEST = "manifest.json"
DATABASE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA = "media.tar"
SIGNING = {"SIGNING_PKCS12": "signing/institution.p12", "SIGNING_TRUST_ROOTS": "signing/trust-roots.pem"}
# The database as its owner (BACKUP_DATABASE_URL, entraide.settings), else as the application connects.
ALIAS = "backup" if "backup" in settings.DATABASES else DEFAULT_DB_ALIAS


class BackupError(Exception):
    """What the operator reads: why the backup or the restore was refused or failed."""


@dataclass(frozen=True)
class Restored:
    signed_versions: int
    files: int


def back_up(folder: Path) -> dict:
    """Write a backup into `folder` (new or empty); the manifest written."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new folder.")
    vendor = connections[ALIAS].vendor
    if vendor not in DATABASE:
        raise BackupError(f"No backup for a {vendor} database.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    mask = os.umask(0o077)  # every folder and file of it for its owner only
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", suffix=".partial", dir=folder.parent))
    try:
        manifest = _write(partial, vendor)
        partial.replace(folder)  # whole: it takes its name (an empty folder of that name is replaced)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        os.umask(mask)
    return manifest


def _write(folder: Path, vendor: str) -> dict:
    (folder / "signing").mkdir()
    _dump_database(folder / DATABASE[vendor])
    with tarfile.open(folder / MEDIA, "w") as archive:
        for name in stored_names():
            with default_storage.open(name, "rb") as file:
                data = file.read()
            entry = tarfile.TarInfo(name)
            entry.size, entry.mode = len(data), 0o600
            archive.addfile(entry, io.BytesIO(data))
    for setting, name in SIGNING.items():
        source = Path(getattr(settings, setting))
        if not source.is_file():
            raise BackupError(f"{setting}={source} is not a file: nothing could verify the restored minutes.")
        shutil.copyfile(source, folder / name)
    files = {str(path.relative_to(folder)): path for path in sorted(folder.rglob("*")) if path.is_file()}
    manifest = {
        "made_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": vendor,
        "last_migrations": _last_migrations(),
        "signed_versions": Minutes.objects.using(ALIAS).exclude(sha256="").count(),
        "files": {name: _sha256(path) for name, path in files.items()},
        "sizes": {name: path.stat().st_size for name, path in files.items()},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    return manifest


def restore(folder: Path) -> Restored:
    """Bring the backup in `folder` back into the configured, empty, database and storage."""
    manifest = _checked_manifest(folder)
    vendor = connections[ALIAS].vendor
    if manifest["database"] != vendor:
        raise BackupError(f"This backup is of a {manifest['database']} database, not of {vendor}.")
    if connections[ALIAS].introspection.table_names():
        raise BackupError("The database is not empty: a backup is restored into a new, empty database.")
    if not _storage_is_empty():
        raise BackupError(f"{_storage_named()} holds files: a backup is restored into an empty storage.")
    for setting, name in SIGNING.items():
        target = Path(getattr(settings, setting))
        if target.exists() and target.read_bytes() != (folder / name).read_bytes():
            raise BackupError(f"{setting}={target} is another file: move it away first.")

    _load_database(folder / DATABASE[vendor])
    files = _restore_files(folder / MEDIA)
    for setting, name in SIGNING.items():
        target = Path(getattr(settings, setting))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / name, target)
        os.chmod(target, 0o600)
    return _check_restored(manifest, files)


def _checked_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {error}") from error
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"{path} is missing or damaged (its SHA-256 is not the manifest's).")
    return manifest


def stored_names() -> list[str]:
    """The name of every file a row of the database names, whatever the model (its FileFields)."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                rows = model._default_manager.using(ALIAS).exclude(**{field.name: ""})
                names.update(rows.values_list(field.name, flat=True))
    return sorted(names)


def _storage_named() -> str:
    options = settings.STORAGES["default"].get("OPTIONS", {})
    return (
        f"The bucket {options['bucket_name']}"
        if "bucket_name" in options
        else f"MEDIA_ROOT={settings.MEDIA_ROOT}"
    )


def _storage_is_empty() -> bool:
    try:
        folders, files = default_storage.listdir("")
    except FileNotFoundError:  # a folder not made yet
        return True
    return not folders and not files


def _restore_files(archive_path: Path) -> int:
    """Each file of the archive back under its own name, through the storage API (a folder or a bucket);
    regular files only, and a name that would leave the storage is refused by the storage itself."""
    count = 0
    with tarfile.open(archive_path) as archive:
        for entry in archive:
            if not entry.isfile():
                raise BackupError(f"{archive_path.name} holds {entry.name!r}, which is not a file.")
            content = archive.extractfile(entry)
            assert content is not None  # a regular file's
            try:
                saved = default_storage.save(entry.name, ContentFile(content.read()))
            except SuspiciousOperation as refusal:
                raise BackupError(f"{archive_path.name} holds {entry.name!r}: {refusal}") from refusal
            if saved != entry.name:
                raise BackupError(f"{entry.name} was stored as {saved}: the storage was not empty.")
            count += 1
    return count


def _check_restored(manifest: dict, files: int) -> Restored:
    """Every signed version's file back, byte for byte, and as many of them as were backed up."""
    signed = list(Minutes.objects.using(ALIAS).exclude(sha256="").only("pdf", "sha256"))
    for minutes in signed:
        with minutes.pdf.open("rb") as file:
            if hashlib.sha256(file.read()).hexdigest() != minutes.sha256:
                raise BackupError(f"{minutes.pdf.name} is not the file that was signed.")
    if len(signed) != manifest["signed_versions"]:
        raise BackupError(f"{len(signed)} signed versions restored, {manifest['signed_versions']} backed up.")
    return Restored(signed_versions=len(signed), files=files)


def _dump_database(target: Path) -> None:
    if connections[ALIAS].vendor == "sqlite":
        connections[ALIAS].ensure_connection()
        with sqlite3.connect(target) as copy:
            connections[ALIAS].connection.backup(copy)
        copy.close()
        return
    _run_postgresql("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}")


def _load_database(source: Path) -> None:
    if connections[ALIAS].vendor == "sqlite":
        connections[ALIAS].ensure_connection()
        with sqlite3.connect(source) as backup:
            backup.backup(connections[ALIAS].connection)
        backup.close()
        return
    _run_postgresql("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", str(source))


def _run_postgresql(program: str, *args: str) -> None:
    """pg_dump or pg_restore on the configured database; the password goes by the environment."""
    db = connections[ALIAS].settings_dict
    options = [f"--dbname={db['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            options.append(f"{option}={db[key]}")
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    done = subprocess.run([program, *options, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        hint = (
            " Back up and restore as the role that owns the tables: set BACKUP_DATABASE_URL (docs/backup.md)."
            if "permission denied" in done.stderr
            else ""
        )
        raise BackupError(f"{program} failed: {done.stderr.strip()}{hint}")


def _last_migrations() -> dict[str, str]:
    applied = MigrationRecorder(connections[ALIAS]).applied_migrations()
    last: dict[str, str] = {}
    for app, name in sorted(applied):
        last[app] = name
    return last


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()
