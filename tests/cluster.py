"""The production layout on one machine, on loopback only (`make cluster`, and the failover test):

    HAProxy (health checks on /health/)
      ├── application server 1: gunicorn + a task queue worker (db_worker)
      └── application server 2: gunicorn + a task queue worker
    PostgreSQL · SeaweedFS's S3 gateway (the files) · Redis (the cache) · the demo PKI's responder

Every server reads the same settings from its environment, as production's do: the database, the bucket
(STORAGE_URL), the cache (CACHE_URL) and the signing material; nothing is kept on one server alone.
`python -m tests.cluster [folder]` starts it with the demo's data and serves it until Ctrl-C.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.object_store import ObjectStore, object_store
from tests.processes import PROJECT, environment, free_port

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"

# HAProxy asks each server's /health/ every 2 s, and waits up to 10 s for its answer (it writes a file to
# the bucket: a busy server takes a second): three failures take it out, two successes bring it back;
# a stopped server refuses the connection, which takes it out at once for that request. A request whose connection a stopped server refuses is sent to the other (redispatch); one that a
# server has received is never sent twice (retry-on conn-failure only: a POST is not replayed).
HAPROXY_CONFIG = """\
global
    maxconn 512
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

    def stop(self, server: Server, how: int = signal.SIGTERM) -> float:
        """Stop one application server: its gunicorn (SIGTERM: in-flight requests finish, new ones are
        refused) and its worker (SIGTERM: the task under way finishes first). Returns the moment its
        gunicorn had stopped (time.monotonic)."""
        for process in (server.web, server.worker):
            if process is not None and process.poll() is None:
                process.send_signal(how)
        server.web.wait(timeout=60)
        web_stopped = time.monotonic()
        server.worker.wait(timeout=120)
        return web_stopped

    def start(self, server: Server) -> None:
        self._start(server)
        wait_for(f"{server.url}/health/")


MEMBER = ("member", "member-pass-2026!")  # a plain member of the seeded board, with its password

# A board made in the cluster's database by the tests' own code (tests/factory.py, the real lifecycle): a
# published session (2025/2), `burst` sessions whose minutes are approved and wait for their signature,
# and a session in review (2026/1) that the member comments on.
SEED = """
import datetime, json
from meetings.models import Membership, Minutes
from tests import factory
board = factory.board(is_home={home})
chair = factory.seat(board, Membership.Role.PRESIDENT, name_ar="نعيمة بن يحيى")
rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR, name_ar="المدير العام")
member = factory.seat(board, name_ar="عبد الجبار الرشيدي")
user = factory.user_for(member, username="{username}")
user.set_password("{password}"); user.save()
secretary = factory.secretariat_user("secretary")
def session(ordinal, year=2025):
    made = factory.session(board, date=datetime.date(year, 12, 1 + ordinal), ordinal=ordinal, chair=chair)
    factory.attend(made, chair)
    factory.attend(made, rapporteur)
    factory.agenda_item(made, 1, title="مشروع ميزانية المؤسسة برسم سنة 2026")
    return made
factory.publish(session(2))
approved = [factory.minutes_at(session(3 + n), Minutes.State.APPROVED).pk for n in range({burst})]
review = session(1, year=2026)
factory.attend(review, member)
factory.minutes_at(review, Minutes.State.IN_REVIEW)
print(json.dumps({{"approved": approved, "review": review.pk}}))
"""

# What the secretariat's buttons do: each signature asked (checked now, made by a worker), and a preview.
ASK = """
from django.contrib.auth.models import User
from meetings.models import Minutes, Session
from meetings.tasks import ask_preview, ask_signature
secretary = User.objects.get(username="secretary")
for minutes in Minutes.objects.filter(pk__in={approved}).order_by("pk"):
    ask_signature(minutes, by=secretary)
if {preview}:
    ask_preview(Session.objects.get(pk={preview}), by=secretary)
"""

OUTCOME = """
import json
from django.db.models import Count
from meetings.models import Comment, Job, Minutes
approved = Minutes.objects.filter(pk__in={approved})
seconds = lambda later, earlier: (later - earlier).total_seconds() if later and earlier else None
print(json.dumps({{
    "states": sorted(approved.values_list("state", flat=True)),
    "signed_files": len(set(approved.exclude(sha256="").values_list("sha256", flat=True))),
    "jobs": [
        {{"kind": job.kind, "status": job.status, "wait": seconds(job.started_at, job.created_at),
          "run": seconds(job.finished_at, job.started_at)}}
        for job in Job.objects.order_by("pk")
    ],
    "comments": dict(Comment.objects.values_list("text").annotate(n=Count("id")).values_list("text", "n")),
}}))
"""


def seed_board(made: "Cluster", burst: int, home: bool = True) -> dict:
    """The seeded board (SEED), the one the public site shows unless `home` is false (the demo's is)."""
    code = SEED.format(username=MEMBER[0], password=MEMBER[1], burst=burst, home=home)
    return json.loads(made.shell(code))


def ask_signatures(made: "Cluster", approved: list[int], preview: int = 0) -> None:
    made.shell(ASK.format(approved=approved, preview=preview))


def jobs_outcome(made: "Cluster", approved: list[int]) -> dict:
    """The approved minutes' states and signed files, every job of the queue (kind, status, seconds
    waited and run), and each comment's text with how many rows hold it."""
    return json.loads(made.shell(OUTCOME.format(approved=approved)))


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {seconds} s")
        time.sleep(0.3)


@contextmanager
def postgresql(folder: Path) -> Iterator[str]:
    """A PostgreSQL cluster of its own on a loopback port; its URL's database `entraide`."""
    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    # PostgreSQL refuses to run as root: as the postgres user, in a folder it owns.
    data = Path(tempfile.mkdtemp(prefix="entraide-cluster-pg-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(data, "postgres")
    port = free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_postgres, *command], check=True, capture_output=True)

    run(
        f"{pgbin}/initdb",
        "-D",
        f"{data}/data",
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
    )
    run(
        f"{pgbin}/pg_ctl", "-D", f"{data}/data", "-l", f"{data}/postgres.log", "-w",
        "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200", "start",
    )  # fmt: skip
    try:
        run(f"{pgbin}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "entraide")
        yield f"postgres://postgres@127.0.0.1:{port}/entraide"
    finally:
        subprocess.run(
            [*as_postgres, f"{pgbin}/pg_ctl", "-D", f"{data}/data", "-m", "fast", "stop"], capture_output=True
        )
        log = data / "postgres.log"
        if log.exists():
            shutil.copyfile(log, folder / "postgres.log")
        shutil.rmtree(data, ignore_errors=True)


@contextmanager
def background(
    command: list[str], log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def cluster(
    folder: Path, servers: int = 2, demo: bool = False, workers_per_server: int = 2, **settings: str
) -> Iterator[Cluster]:
    """The whole layout under `folder` while the block runs; `demo` loads the demo's data; `settings`
    are more of every server's environment."""
    folder.mkdir(parents=True, exist_ok=True)
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    with ExitStack() as stack:
        database = stack.enter_context(postgresql(folder))
        store = stack.enter_context(object_store(folder / "object-store"))
        cache_port = free_port()
        stack.enter_context(
            background(
                [REDIS, "--bind", "127.0.0.1", "--port", str(cache_port), "--save", "", "--dir", str(folder)],
                logs / "redis.log",
            )
        )
        pki_port, balancer_port = free_port(), free_port()
        env = environment(
            DATABASE_URL=database,
            STORAGE_URL=store.storage_url("files"),
            CACHE_URL=f"redis://127.0.0.1:{cache_port}/0",
            DEMO_ALLOWED="1",
            SIGNING_DEMO_PKI_URL=f"http://127.0.0.1:{pki_port}",
            SIGNING_PKCS12=str(folder / "signing" / "institution.p12"),
            SIGNING_TRUST_ROOTS=str(folder / "signing" / "ca.pem"),
            SIGNING_PASSPHRASE="demo-signing-passphrase",
            EMAIL_URL=f"file://{folder / 'mail'}",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL=f"http://127.0.0.1:{balancer_port}",
            CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{balancer_port}",
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            AXES_IPWARE_PROXY_COUNT="1",  # behind HAProxy, which adds the client's address
            WEB_CONCURRENCY=str(workers_per_server),
            HOME=os.environ.get("HOME", "/root"),
            **settings,
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
        lines = "\n".join(f"    server {s.name} 127.0.0.1:{s.port} check" for s in made.servers)
        config = folder / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=balancer_port, servers=lines), encoding="utf-8")
        stack.enter_context(background([HAPROXY, "-db", "-f", str(config)], logs / "haproxy.log"))
        wait_for(f"{made.url}/health/")
        yield made


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else PROJECT / "var" / "cluster").resolve()
    shutil.rmtree(folder, ignore_errors=True)
    print(
        f"Starting the cluster under {folder} (PostgreSQL, SeaweedFS, Redis, demo PKI, 2 servers, HAProxy)…"
    )
    with cluster(folder, demo=True) as made:
        for server in made.servers:
            print(f"  {server.name}: {server.url} (gunicorn) and its worker")
        print(f"  objects: {made.store.endpoint} · logs: {folder / 'logs'}")
        print(f"The board's site, through the load balancer: {made.url}/  (Ctrl-C stops everything)")
        try:
            signal.pause()
        except KeyboardInterrupt:
            print("Stopping the cluster…")


if __name__ == "__main__":
    main()
