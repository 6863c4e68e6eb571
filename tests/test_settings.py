"""The settings module refuses to start on an environment value it cannot understand, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SHOW_DATABASE = (
    "import django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; print(db['ENGINE'], db['HOST'], db['PORT'], db['NAME'], sep='\\n')"
)


def start(code: str = "import django; django.setup()", **env: str | None) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter, from a production-like environment plus `env`.

    A variable given as None is left out of the environment.
    """
    base = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "entraide.settings",
        "SECRET_KEY": "tests-only-secret-key",
        "DEBUG": "0",
    }
    merged = {name: value for name, value in {**base, **env}.items() if value is not None}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=merged,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
    )


def refusal(result: subprocess.CompletedProcess) -> str:
    """The last line of the traceback: the error the operator reads."""
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


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
