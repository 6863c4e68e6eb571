"""The production layout on one machine, on loopback only (`make cluster`, and the failover test):

    HAProxy (health checks on /health/)
      ├── application server 1: gunicorn + a task queue worker (db_worker)
      └── application server 2: gunicorn + a task queue worker
    PostgreSQL · SeaweedFS's S3 gateway (the files) · Redis (the cache) · the demo PKI's responder

Every server reads the same settings from its environment, as production's do: the database, the bucket
(STORAGE_URL), the cache (CACHE_URL) and the signing material; nothing is kept on one server alone.
`python -m tests.cluster [folder]` starts it with the demo's data and serves it until Ctrl-C.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.object_store import ObjectStore, object_store
from tests.processes import (
    PROJECT,
    background,
    environment,
    free_port,
    free_port_pair,
    postgresql,
    redis_server,
    until,
)

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"

# HAProxy asks each server's /health/ every 2 s, and waits up to 10 s for its answer (it writes a file to
# the bucket: a busy server takes a second): three failures take it out, two successes bring it back;
# a stopped server refuses the connection, which takes it out at once for that request. A request whose connection a stopped server refuses is sent to the other (redispatch); one that a
# server has received is never sent twice (retry-on conn-failure only: a POST is not replayed).
HAPROXY_CONFIG = """\
global
    maxconn 512
    stats socket {socket} mode 600 level admin
defaults
    mode http
    option forwardfor
    option redispatch
    retries 3
    retry-on conn-failure
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 10s
frontend board
    bind 127.0.0.1:{port}
    default_backend application
backend application
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health/ ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 2s fall 3 rise 2
{servers}
"""


@dataclass
class Server:
    """One application server: its gunicorn and its worker."""

    name: str
    port: int
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def running(self) -> bool:
        return self.web is not None and self.web.poll() is None


@dataclass
class Cluster:
    folder: Path
    env: dict[str, str]
    url: str  # the load balancer's
    servers: list[Server] = field(default_factory=list)
    store: ObjectStore | None = None
    _start: object = None  # how to start a server's processes

    def manage(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT,
            env={**self.env, **env},
            capture_output=True,
            encoding="utf-8",
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done

    def shell(self, code: str) -> str:
        """Run `code` with the cluster's settings (`manage.py shell -c`); the last line it printed."""
        lines = self.manage("shell", "-v", "0", "-c", code).stdout.strip().splitlines()
        return lines[-1] if lines else ""

    def call(self, name: str, **arguments) -> object:
        """tests/cluster_board.py's function `name`, called with `arguments` in the cluster's database;
        what it returned."""
        code = (
            "import json; from tests import cluster_board; "
            f"print(json.dumps(cluster_board.{name}(**json.loads({json.dumps(arguments)!r}))))"
        )
        return json.loads(self.shell(code))

    def stop(self, server: Server, how: int = signal.SIGTERM) -> float:
        """Stop one application server: its gunicorn (SIGTERM: in-flight requests finish, new ones are
        refused) and its worker (SIGTERM: the task under way finishes first). Returns the moment its
        gunicorn had stopped (time.monotonic)."""
        self._tell(server, how)
        server.web.wait(timeout=60)
        web_stopped = time.monotonic()
        server.worker.wait(timeout=120)
        return web_stopped

    def tell_every_server_to_stop(self) -> None:
        """SIGTERM to every server's processes at once: they stop together, not one after the other."""
        for server in self.servers:
            self._tell(server, signal.SIGTERM)

    def _tell(self, server: Server, how: int) -> None:
        for process in (server.web, server.worker):
            if process is not None and process.poll() is None:
                process.send_signal(how)

    def start(self, server: Server) -> None:
        self._start(server)
        wait_for(f"{server.url}/health/")

    def balancer(self, command: str) -> str:
        """A command to HAProxy's runtime API (its stats socket); its answer."""
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(str(self.folder / "haproxy.sock"))
            connection.sendall(command.encode() + b"\n")
            return b"".join(iter(lambda: connection.recv(65536), b"")).decode()

    def seen_by_balancer(self, server: Server) -> dict[str, str]:
        """The balancer's figures for `server` (`show stat`): its status (UP, DOWN, DRAIN, …), the
        requests it is answering now (scur), and the rest of HAProxy's columns."""
        header, *rows = self.balancer("show stat").lstrip("# ").splitlines()
        stats = [dict(zip(header.split(","), row.split(","), strict=False)) for row in rows if row]
        return next(row for row in stats if row["pxname"] == "application" and row["svname"] == server.name)

    def drain(self, server: Server, seconds: float = 30) -> None:
        """Take `server` out of the balancer gently: no new request goes to it, and this returns once
        those it had are answered."""
        self.balancer(f"set server application/{server.name} state drain")
        until(
            lambda: self.seen_by_balancer(server)["scur"] == "0",
            seconds,
            f"{server.name} still answers requests {seconds} s after its drain",
        )

    def put_back(self, server: Server, seconds: float = 30) -> None:
        """`server` in the balancer again, once its health checks pass."""
        self.balancer(f"set server application/{server.name} state ready")
        until(
            lambda: self.seen_by_balancer(server)["status"] == "UP",
            seconds,
            f"{server.name} is not up in the balancer {seconds} s after its start",
        )


def wait_for(url: str, seconds: float = 60) -> None:
    until(lambda: answers(url), seconds, f"{url} did not answer 200 within {seconds} s", every=0.3)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


@contextmanager
def cluster(
    folder: Path,
    servers: int = 2,
    demo: bool = False,
    workers_per_server: int = 2,
    port: int | None = None,
    **settings: str,
) -> Iterator[Cluster]:
    """The whole layout under `folder` while the block runs, the balancer on `port` (a free one if
    None); `demo` loads the demo's data; `settings` are more of every server's environment."""
    folder.mkdir(parents=True, exist_ok=True)
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    with ExitStack() as stack:
        database = stack.enter_context(postgresql(folder)).url
        store = stack.enter_context(object_store(folder / "object-store"))
        cache = stack.enter_context(redis_server(logs))
        pki_port, balancer_port = free_port_pair(), port or free_port()
        defaults = {"EMAIL_URL": f"file://{folder / 'mail'}"}
        env = environment(
            DATABASE_URL=database,
            STORAGE_URL=store.storage_url("files"),
            CACHE_URL=cache,
            DEMO_ALLOWED="1",
            SIGNING_DEMO_PKI_URL=f"http://127.0.0.1:{pki_port}",
            SIGNING_PKCS12=str(folder / "signing" / "institution.p12"),
            SIGNING_TRUST_ROOTS=str(folder / "signing" / "ca.pem"),
            SIGNING_PASSPHRASE="demo-signing-passphrase",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL=f"http://127.0.0.1:{balancer_port}",
            CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{balancer_port}",
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            AXES_IPWARE_PROXY_COUNT="1",  # behind HAProxy, which adds the client's address
            WEB_CONCURRENCY=str(workers_per_server),
            HOME=os.environ.get("HOME", "/root"),
            **{**defaults, **settings},
        )
        made = Cluster(folder=folder, env=env, url=f"http://127.0.0.1:{balancer_port}", store=store)
        made.manage("migrate", "--noinput")
        made.manage("collectstatic", "--noinput")
        made.manage("init_signing")
        stack.enter_context(
            background([sys.executable, "manage.py", "serve_demo_pki"], logs / "pki.log", env)
        )
        made.manage("serve_demo_pki", "--wait")
        if demo:
            made.manage("load_demo")

        def start(server: Server) -> None:
            own = {
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{server.port}",
                "VERIFICATION_LOCKS": str(folder / server.name / "locks"),
            }
            server.web = stack.enter_context(
                background(
                    [sys.executable, "-m", "gunicorn", "-c", "python:entraide.gunicorn", "entraide.wsgi"],
                    logs / f"{server.name}-web.log",
                    own,
                )
            )
            server.worker = stack.enter_context(
                background(
                    [
                        sys.executable,
                        "manage.py",
                        "db_worker",
                        "--interval",
                        "0.5",
                        "--worker-id",
                        server.name,
                    ],
                    logs / f"{server.name}-worker.log",
                    own,
                )
            )

        made._start = start
        for number in range(1, servers + 1):
            server = Server(name=f"app{number}", port=free_port())
            made.servers.append(server)
            made.start(server)
        stack.callback(made.tell_every_server_to_stop)  # on the way out, after the balancer (LIFO)
        lines = "\n".join(f"    server {s.name} 127.0.0.1:{s.port} check" for s in made.servers)
        config = folder / "haproxy.cfg"
        config.write_text(
            HAPROXY_CONFIG.format(port=balancer_port, servers=lines, socket=folder / "haproxy.sock"),
            encoding="utf-8",
        )
        stack.enter_context(background([HAPROXY, "-db", "-f", str(config)], logs / "haproxy.log"))
        wait_for(f"{made.url}/health/")
        yield made


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("folder", nargs="?", type=Path, default=PROJECT / "var" / "cluster")
    options.add_argument("--port", type=int, default=8080, help="the load balancer's (default 8080)")
    given = options.parse_args()
    folder = given.folder.resolve()
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", given.port))
        except OSError:
            sys.exit(f"Port {given.port} is taken: give another with --port (make cluster CLUSTER_PORT=…).")
    shutil.rmtree(folder, ignore_errors=True)
    print(
        f"Starting the cluster under {folder} (PostgreSQL, SeaweedFS, Redis, demo PKI, 2 servers, HAProxy)…",
        flush=True,
    )
    _stop_on(signal.SIGINT, signal.SIGTERM)
    with cluster(folder, demo=True, port=given.port) as made:
        for server in made.servers:
            print(f"  {server.name}: {server.url} (gunicorn) and its worker")
        print(f"  objects: {made.store.endpoint} · logs: {folder / 'logs'}")
        print(
            f"The board's site, through the load balancer: {made.url}/  (Ctrl-C stops everything)", flush=True
        )
        try:
            signal.pause()
        except (KeyboardInterrupt, SystemExit):
            print("Stopping the cluster…", flush=True)


def _stop_on(*signals: int) -> None:
    """Each of `signals` ends the block that runs the cluster, which stops every process it started: Ctrl-C
    even where the shell that started it had it ignored (a job in the background), SIGTERM (`kill`)."""
    for number in signals:
        signal.signal(number, signal.default_int_handler if number == signal.SIGINT else _exit)


def _exit(number: int, _frame) -> None:
    raise SystemExit(128 + number)


if __name__ == "__main__":
    main()
