"""The project run in a fresh interpreter, from a production-like environment: what an operator sees."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import redis

PROJECT = Path(__file__).resolve().parent.parent
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
T = TypeVar("T")


def start(code: str = "import django; django.setup()", **env: str | None) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter, from a production-like environment plus `env`.

    A variable given as None is left out of the environment.
    """
    return _run([sys.executable, "-c", code], env)


def manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    """`python manage.py <args>` from the same production-like environment plus `env`."""
    return _run([sys.executable, "manage.py", *args], env)


@contextmanager
def serving(*args: str, **env: str | None) -> Iterator[subprocess.Popen]:
    """`python manage.py <args>` running in the background (a server) while the block runs."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=environment(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def background(
    command: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path = PROJECT, grace: float = 30
) -> Iterator[subprocess.Popen]:
    """`command` running while the block runs, its output appended to `log`; stopped at the end
    (SIGTERM, then SIGKILL after `grace` seconds)."""
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """Debian's redis-server on a free loopback port, keeping nothing on disk, while the block runs;
    its URL (CACHE_URL's form)."""
    port = free_port()
    command = [REDIS, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", str(folder)]
    with background(command, folder / "redis.log"):
        client = redis.Redis(port=port)
        until(
            lambda: _pings(client), 10, f"redis-server did not start: see {folder / 'redis.log'}", every=0.1
        )
        yield f"redis://127.0.0.1:{port}/0"


def _pings(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def until(check: Callable[[], T], seconds: float, failure: str | Callable[[], str], every: float = 0.2) -> T:
    """The first true value of `check()`, asked every `every` s; TimeoutError(failure) if there is none
    within `seconds` (`failure` called then, if it is a function: what went wrong, as it stands)."""
    deadline = time.monotonic() + seconds
    while not (value := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(failure() if callable(failure) else failure)
        time.sleep(every)
    return value


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(**env: str | None) -> dict[str, str]:
    """A production-like environment plus `env` (a variable given as None is left out)."""
    base = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "entraide.settings",
        "SECRET_KEY": "tests-only-secret-key",
        "DEBUG": "0",
    }
    return {name: value for name, value in {**base, **env}.items() if value is not None}


def _run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=PROJECT,
        env=environment(**env),
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )


def refusal(result: subprocess.CompletedProcess) -> str:
    """The last line of the traceback: the error the operator reads."""
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]
