"""The settings module refuses to start on an environment value it cannot understand, naming the variable."""

import pytest

from tests.processes import PROJECT, refusal, start

# Each test starts an interpreter with an environment of its own (make test-all).
pytestmark = pytest.mark.slow

SHOW_DATABASE = (
    "import django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; print(db['ENGINE'], db['HOST'], db['PORT'], db['NAME'], sep='\\n')"
)


def test_a_production_environment_starts():
    result = start()
    assert result.returncode == 0, result.stderr


def test_a_debug_value_that_is_not_a_boolean_stops_the_start():
    error = refusal(start(DEBUG="maybe"))
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: DEBUG='maybe'")


def test_a_secure_cookies_value_that_is_not_a_boolean_stops_the_start():
    error = refusal(start(SECURE_COOKIES="sometimes"))
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: SECURE_COOKIES='sometimes'")


def test_a_missing_secret_key_stops_a_production_start():
    error = refusal(start(SECRET_KEY=None, DEBUG="0"))
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set")


def test_an_empty_secret_key_stops_a_production_start():
    error = refusal(start(SECRET_KEY="", DEBUG="0"))
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set")


def test_a_missing_secret_key_is_tolerated_in_development():
    result = start(SECRET_KEY=None, DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_a_mysql_database_url_stops_the_start():
    error = refusal(start(DATABASE_URL="mysql://board:secret@db.example.ma:3306/board"))
    assert error.startswith(
        "django.core.exceptions.ImproperlyConfigured: DATABASE_URL must point at PostgreSQL"
    )


def test_a_database_url_that_is_not_a_url_stops_the_start():
    error = refusal(start(DATABASE_URL="not-a-url"))
    assert error.startswith(
        "django.core.exceptions.ImproperlyConfigured: DATABASE_URL='not-a-url' is not a database URL"
    )


def test_a_postgresql_database_url_is_accepted():
    result = start(SHOW_DATABASE, DATABASE_URL="postgres://board:secret@db.example.ma:5432/board")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["django.db.backends.postgresql", "db.example.ma", "5432", "board"]


def test_without_a_database_url_the_sqlite_file_is_used():
    result = start(SHOW_DATABASE, DATABASE_URL=None)
    assert result.returncode == 0, result.stderr
    engine, _host, _port, name = result.stdout.splitlines()
    assert (engine, name) == ("django.db.backends.sqlite3", str(PROJECT / "var" / "db.sqlite3"))


PASSKEY_SITE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.OTP_WEBAUTHN_RP_ID, settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)"
)


def test_passkeys_are_bound_to_the_public_address():
    shown = start(PASSKEY_SITE, SITE_URL="https://conseil.entraide.ma")

    assert shown.stdout.strip() == "conseil.entraide.ma ['https://conseil.entraide.ma']"


def test_a_development_address_on_127_0_0_1_offers_passkeys_on_localhost():
    # A browser takes no passkey for an IP address.
    shown = start(PASSKEY_SITE, DEBUG="1", SITE_URL="http://127.0.0.1:8000")

    assert shown.stdout.strip() == "localhost ['http://localhost:8000']"
