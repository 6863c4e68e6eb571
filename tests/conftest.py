import io
import threading

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db.backends.base.operations import BaseDatabaseOperations
from django.test import override_settings
from django.utils import translation

from meetings.pages import files
from meetings.seal import demo_pki, signing_service
from tests.mail import MailServer
from tests.object_store import object_store


@pytest.fixture(autouse=True)
def _arabic_by_default():
    """Each test starts in the site's default language, whatever the previous one activated."""
    with translation.override("ar"):
        yield


@pytest.fixture(scope="session", autouse=True)
def _static_files_as_found():
    """Static files by their own names, found where they are: the hashed names of production are made by
    collectstatic, which a deployment runs (the cluster's tests do) and the tests do not."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, and a server that knows no file: a page kept or a file found
    public in an earlier test's database (whose row numbers SQLite may give again) is not this one's."""
    cache.clear()
    files._known.clear()


@pytest.fixture(scope="session", autouse=True)
def signing_keys(tmp_path_factory):
    """A demo PKI of the tests' own (never var/), made once by init_signing, its responder (OCSP, CRL,
    timestamps) and the demo signing service (the approvers' keys), each on a port of this test process's,
    answering for whichever PKI the settings name."""
    folder = tmp_path_factory.mktemp("signing")
    settings.MEDIA_ROOT = folder / "media"  # for fixtures wider than a test; each test gets its own below
    settings.SIGNING_PKCS12 = folder / "institution.p12"
    settings.SIGNING_TRUST_ROOTS = folder / "ca.pem"
    responder = demo_pki.server("127.0.0.1", 0, quiet=True)
    settings.SIGNING_DEMO_PKI_URL = f"http://127.0.0.1:{responder.server_port}"
    settings.SIGNING_TSA_URL = settings.SIGNING_DEMO_PKI_URL + demo_pki.TSA_PATH
    service = signing_service.start("127.0.0.1", 0, quiet=True)
    settings.SIGNING_SERVICE_URL = service.url
    call_command("init_signing", stdout=io.StringIO())
    threading.Thread(target=responder.serve_forever, daemon=True).start()
    yield folder
    responder.shutdown()
    service.stop()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Tests make a login for each of their actors: the real hasher's cost is meant for attackers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(request, settings, tmp_path):
    """Signed files and renderings go to the test's own folder; those of a module's fixture that signs
    once for all its tests (`module_media`), to the module's."""
    if "module_media" not in request.fixturenames:
        settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    """MEDIA_ROOT is a folder of the module's while its tests run: a module fixture asks for it."""
    from django.conf import settings

    before, settings.MEDIA_ROOT = settings.MEDIA_ROOT, tmp_path_factory.mktemp("media")
    yield settings.MEDIA_ROOT
    settings.MEDIA_ROOT = before


@pytest.fixture(scope="session", autouse=True)
def _flush_opens_the_record():
    """The harness's flush may empty the record's tables, signed sessions included.

    After a transactional test (pytest-django's `transactional_db`, the browser tests' live server),
    Django empties every table with one TRUNCATE, which PostgreSQL refuses on the tables of a signed
    record (meetings' migration 0009) unless the owner opened the escape hatch. The harness is that owner
    emptying a database of its own, so its flush opens the hatch first, in the same transaction, and closes
    it after. The class's method, not one connection's: the browser tests' connections are new objects."""
    flush = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if self.connection.vendor == "postgresql":
            sql_list = [
                "SET LOCAL entraide.unfreeze_record = 'on'",
                *sql_list,
                "SET LOCAL entraide.unfreeze_record = 'off'",
            ]
        flush(self, sql_list)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture
def mail_server(settings):
    """The app sends over SMTP to a server of the test's own, started (and stoppable) by the test."""
    server = MailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client():
    """pytest-django's client, whose `force_login` also gives the second factor (tests/client.py)."""
    from tests.client import Client

    return Client()


def pytest_collection_modifyitems(items):
    """pytest-django sets up the test database only for a session whose tests ask for one. The session
    fixtures that make rows and roll them back (`minutes`, `module_db` in tests/meetings/conftest.py) need
    it too, even when the tests that use them read bytes only: run alone, they would write in the
    development database. Their tests ask for it."""
    for item in items:
        if {"minutes", "module_db"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def object_storage(tmp_path_factory):
    """A real S3-compatible server (SeaweedFS) of this test process's, started for the first test that
    asks for it."""
    with object_store(tmp_path_factory.mktemp("object-store")) as store:
        yield store


def pytest_terminal_summary(terminalreporter):
    """Tests of the record that could not run here are said loudly, with why, beside -rs's list: on a
    machine without PostgreSQL, the database's own guard (its triggers) goes untested."""
    from django.db import connection

    skipped = terminalreporter.stats.get("skipped", [])
    if connection.vendor != "postgresql" and skipped:
        terminalreporter.section("NOT TESTED HERE", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"{len(skipped)} tests were skipped, PostgreSQL's guard of the record among them: the tests ran on "
            "SQLite. Install PostgreSQL (make system-packages) or set DATABASE_URL, then make test again.",
            red=True,
        )
