"""The project run in a fresh interpreter, from a production-like environment: what an operator sees."""

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
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
def serving(*args: str, log: Path | None = None, **env: str | None) -> Iterator[subprocess.Popen]:
    """`python manage.py <args>` running in the background (a server) while the block runs; what it
    prints goes to `log`, if given (to tell why a server did not answer)."""
    output = log.open("ab") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=environment(**env),
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    if log is not None:
        output.close()  # the server holds its own copy
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


class PostgreSQL:
    """A PostgreSQL cluster of the test's own on a loopback port (its database `entraide`), which the test
    may stop and start again: Debian's server, run as the postgres user in a folder it owns (PostgreSQL
    refuses to run as root)."""

    def __init__(self, folder: Path):
        self.log = folder / "postgres.log"
        self.bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
        self.data = Path(tempfile.mkdtemp(prefix="entraide-pg-"))
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.data, "postgres")
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/entraide"
        self._run("initdb", "-D", f"{self.data}/data", "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                  "--locale=C.UTF-8")  # fmt: skip

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", f"{self.data}/data", "-l", f"{self.data}/postgres.log", "-w",
            "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c max_connections=200", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", f"{self.data}/data", "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run([*self.as_postgres, f"{self.bin}/pg_ctl", "-D", f"{self.data}/data", "-m", "fast", "stop"],
                       capture_output=True)  # fmt: skip
        if (self.data / "postgres.log").exists():
            shutil.copyfile(self.data / "postgres.log", self.log)
        shutil.rmtree(self.data, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, f"{self.bin}/{program}", *args], check=True, capture_output=True)


@contextmanager
def postgresql(folder: Path) -> Iterator[PostgreSQL]:
    """A PostgreSQL of its own (`PostgreSQL`), started, with its database; removed at the end, its log
    kept in `folder`."""
    server = PostgreSQL(folder)
    try:
        server.start()
        server._run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "entraide")
        yield server
    finally:
        server.remove()


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


def free_port_pair() -> int:
    """A free port whose next one is free too: the demo PKI's responder's, whose signing service takes the
    port after it (settings.SIGNING_SERVICE_URL). Both are taken below the kernel's range of ephemeral
    ports: one inside it, free when picked, was once taken by an outgoing connection (the other test
    worker's, to PostgreSQL or a browser) before the server bound it, which then failed «address already in
    use»."""
    first_ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    while True:
        port = random.randrange(10_000, min(first_ephemeral, 32_768) - 1)
        with socket.socket() as probe, socket.socket() as next_one:
            try:
                probe.bind(("127.0.0.1", port))
                next_one.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


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
