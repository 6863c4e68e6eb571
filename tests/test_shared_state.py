"""What the application servers of a cluster share: the database, where /verify/'s count per address is
kept (models.limits), with or without a shared cache (CACHE_URL, in Redis: Debian's redis-server here, on
a port of the test's). Two servers are two fresh interpreters with the same settings and database, as two
machines behind a load balancer are."""

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import manage, redis_server, refusal, start

pytestmark = pytest.mark.slow  # fresh interpreters and a Redis server (make test-all)

CHECKS = """
import django; django.setup()
from django.test import Client
client = Client(REMOTE_ADDR="203.0.113.7")
print(*[client.post("/verify/").status_code for _ in range({count})])
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """An embedded database with the project's tables, made once for the module."""
    path = tmp_path_factory.mktemp("database") / "db.sqlite3"
    done = manage("migrate", "--noinput", DATABASE_URL=f"sqlite:///{path}")
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def database(migrated, tmp_path) -> str:
    """The servers' shared database: a fresh copy of the migrated one, its URL."""
    copy = tmp_path / "db.sqlite3"
    shutil.copyfile(migrated, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


def at_a_minutes_start() -> None:
    """Wait, if need be, for a minute to begin: the count is per minute of the clock (models.limits), and
    two fresh interpreters on a loaded machine may take long enough to fall on both sides of a minute's
    end, where the second is rightly let through."""
    left = 60 - time.time() % 60
    if left < 40:
        time.sleep(left + 0.1)


def statuses(count: int, **env: str) -> list[int]:
    done = start(CHECKS.format(count=count), ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0", **env)
    assert done.returncode == 0, done.stderr
    return [int(status) for status in done.stdout.split()]


def test_an_address_that_had_its_checks_on_one_server_is_refused_by_the_other(database):
    """/verify/ gives an address 6 checks a minute (VERIFICATIONS_PER_MINUTE) across the cluster, without
    a shared cache: the count is the database's."""
    at_a_minutes_start()
    assert statuses(6, DATABASE_URL=database) == [200] * 6

    assert statuses(1, DATABASE_URL=database) == [429]


def test_with_a_shared_cache_too(database, redis_url):
    at_a_minutes_start()
    assert statuses(6, DATABASE_URL=database, CACHE_URL=redis_url) == [200] * 6

    assert statuses(1, DATABASE_URL=database, CACHE_URL=redis_url) == [429]


def test_a_cache_url_that_is_not_redis_stops_the_start_with_its_name():
    error = refusal(start(CACHE_URL="memcached://127.0.0.1:11211"))

    assert "CACHE_URL='memcached://127.0.0.1:11211' is not a Redis URL: use redis://host:6379/0." in error


def test_a_storage_url_that_is_not_an_s3_bucket_stops_the_start_with_its_name():
    error = refusal(start(STORAGE_URL="s3://minio.example.ma/"))

    assert "STORAGE_URL is not an S3 URL: use s3://ACCESS_KEY:SECRET_KEY@host:port/bucket" in error


def test_a_storage_url_never_shows_its_secret_key_in_the_refusal():
    error = refusal(start(STORAGE_URL="s3://key:very-secret@/bucket"))

    assert "very-secret" not in error


BEHIND_THE_BALANCER = """
import django; django.setup()
from django.test import Client
balancer = Client(REMOTE_ADDR="127.0.0.1")
first = [balancer.post("/verify/", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code for _ in range(6)]
# The same client claiming a new address each time (the balancer adds the real one after it): a header
# that does not have the balancer's form is counted under the balancer's address, one count for them all.
spoofed = [
    balancer.post("/verify/", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.7").status_code for n in range(7)
]
print(*first, *spoofed, balancer.post("/verify/", HTTP_X_FORWARDED_FOR="198.51.100.9").status_code)
"""


def test_behind_the_load_balancer_each_client_is_counted_by_its_own_address(database):
    """Every request comes from the balancer's address; the client's is the one it adds to
    X-Forwarded-For (AXES_IPWARE_PROXY_COUNT=1), for /verify/'s count as for the sign-in lockout."""
    done = start(
        BEHIND_THE_BALANCER,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        AXES_IPWARE_PROXY_COUNT="1",
        DATABASE_URL=database,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200"] * 6 + ["200"] * 6 + ["429"] + ["200"]
