"""The public pages against the floor, in production mode, in one run: issue 29's table.

    .venv/bin/python benchmarks/production.py [--seconds 5] [--pairs 3] [--short]

Production mode: gunicorn with 3 sync workers (`--workers 3`), DEBUG=0, a throw-away PostgreSQL cluster
(benchmarks/register.py's, or a database of the run's own on BENCH_POSTGRES_URL's server), plain HTTP on
loopback as behind the proxy that ends TLS (SECURE_SSL_REDIRECT=0), the files in a temporary MEDIA_ROOT, the
cache production's default (CACHE_URL unset: each process's own memory), the static files collected into a
temporary STATIC_ROOT and served by WhiteNoise. The data: the demo, its December session signed with the
demo PKI (init_signing, serve_demo_pki, load_demo), then 1,000 sessions of 20 resolutions of the same home
board before it (`generate_history --boards 1`): 20,000 public resolutions besides the demo's.

Each figure is a page against its floor, each side measured by `wrk` (8 connections, 2 threads) for
`--seconds`, floor and page alternately, `--pairs` times, after a warm-up of each; it prints the median
requests per second of each side, their ratio and the issue's goal, and exits with 1 when a goal is missed.
The floor of a page is `/verify/` (its form: no query) in the page's language; the floor of the signed PDF,
a static file of the same size served by WhiteNoise. `--short` (the tests' run): 50 sessions, 1 s runs, one
pair, the same table, no goal asserted. Every process it starts (PostgreSQL, the PKI's responder, gunicorn)
is stopped at the end, on a failure, Ctrl-C or SIGTERM too. The machine's other work moves the figures: the
load average is printed, and each pair's figures.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.register import free_port, postgres_server  # noqa: E402

SESSION = "/sessions/2025/2/"  # the demo's December session, signed by load_demo
SAME_SIZE = "bench/same-size.pdf"  # under STATIC_ROOT
RESOLUTIONS = 20  # per session of the history
WRK = shutil.which("wrk") or "/usr/bin/wrk"
CONNECTIONS, THREADS = 8, 2


@dataclass
class Run:
    per_second: float
    latency_ms: float  # wrk's mean
    errors: int  # answers other than 2xx and 3xx, and timeouts
    bytes_per_answer: float  # headers included


@dataclass
class Figure:
    name: str
    floor: str
    page: str
    goal: float
    floor_runs: list[Run] = field(default_factory=list)
    page_runs: list[Run] = field(default_factory=list)

    def median(self, side: str, what: str = "per_second") -> float:
        return statistics.median(getattr(run, what) for run in getattr(self, f"{side}_runs"))

    @property
    def ratio(self) -> float:
        return self.median("page") / self.median("floor")

    @property
    def met(self) -> bool:
        return self.ratio >= self.goal and not any(run.errors for run in self.floor_runs + self.page_runs)


@dataclass
class Site:
    """The run's folder and environment; gunicorn's port."""

    folder: Path
    env: dict[str, str]
    port: int

    def manage(self, *args: str, **more: str) -> str:
        command = [sys.executable, "manage.py", *args]
        done = subprocess.run(command, cwd=ROOT, env={**self.env, **more}, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def fetch(self, path: str) -> tuple[http.client.HTTPResponse, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def get(self, path: str) -> tuple[http.client.HTTPResponse, bytes]:
        """The answer to `path`, which must be a 200 (a 301 would be the redirect to HTTPS)."""
        response, body = self.fetch(path)
        if response.status != 200:
            to = f" to {response.getheader('Location')}" if response.getheader("Location") else ""
            sys.exit(f"{path} answered {response.status}{to}, not 200")
        return response, body


# Processes and data


@contextlib.contextmanager
def running(command: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """`command` in a process group of its own while the block runs; the whole group stopped after."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        for how, grace in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, how)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=grace)
                break


@contextlib.contextmanager
def own_database(server: str) -> Iterator[str]:
    """A database of the run's own on `server`, dropped at the end; its URL."""
    parts = urllib.parse.urlsplit(server)
    name = f"entraide_production_{os.getpid()}"
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres", query=""))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        try:
            with psycopg.connect(maintenance, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error as error:
            print(f"The database {name} could not be dropped: {error}", file=sys.stderr)


def environment(folder: Path, database: str, port: int) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_SETTINGS_MODULE": "entraide.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback, as behind the proxy that ends TLS
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database,
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "EMAIL_URL": f"file://{folder / 'mail'}",
        "VERIFICATION_LOCKS": str(folder / "locks"),
        "SIGNING_PKCS12": str(folder / "signing" / "institution.p12"),
        "SIGNING_TRUST_ROOTS": str(folder / "signing" / "ca.pem"),
        "SIGNING_PASSPHRASE": "demo-signing-passphrase",
        # The demo's responder and its signing service, each on a free port (the service's default, the
        # port after the responder's, may be taken).
        "SIGNING_DEMO_PKI_URL": f"http://127.0.0.1:{free_port()}",
        "SIGNING_SERVICE_URL": f"http://127.0.0.1:{free_port()}",
    }


def build(site: Site, sessions: int) -> dict:
    """Static files, the demo signed with its PKI (whose responder stops once the demo is loaded), then the
    history before it; what the database then holds."""
    demo = {"DEMO_ALLOWED": "1"}  # for the demo's PKI and data only: the site runs without it
    step(site, "migrate", "--noinput")
    step(site, "collectstatic", "--noinput")
    step(site, "init_signing", **demo)
    with running(
        [sys.executable, "manage.py", "serve_demo_pki"], site.folder / "pki.log", {**site.env, **demo}
    ):
        step(site, "serve_demo_pki", "--wait", **demo)
        step(site, "load_demo", **demo)
    step(site, "generate_history", "--force", "--boards", "1", "--sessions", str(sessions),
         "--resolutions", str(RESOLUTIONS))  # fmt: skip
    code = (
        "import json; from django.conf import settings; from decisions.models import PublishedResolution; "
        "print(json.dumps({'public': PublishedResolution.objects.public().count(), "
        "'cache': settings.CACHES['default']['BACKEND']}))"
    )
    return json.loads(site.manage("shell", "-v", "0", "-c", code).strip().splitlines()[-1])


def step(site: Site, *args: str, **more: str) -> None:
    started = time.monotonic()
    site.manage(*args, **more)
    print(f"  manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s", flush=True)


@contextlib.contextmanager
def gunicorn(site: Site) -> Iterator[None]:
    command = [sys.executable, "-m", "gunicorn", "-c", "python:entraide.gunicorn", "--workers", "3"]
    command += ["--bind", f"127.0.0.1:{site.port}", "entraide.wsgi"]
    with running(command, site.folder / "gunicorn.log", site.env) as process:
        deadline = time.monotonic() + 60
        while not answers(site):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"gunicorn did not start: see {site.folder / 'gunicorn.log'}")
            time.sleep(0.3)
        yield


def answers(site: Site) -> bool:
    try:
        return site.fetch("/health/")[0].status == 200
    except OSError:
        return False


# The pages


def signed_pdf(site: Site) -> tuple[str, bytes]:
    """The address of the PDF the session's page links to, and its bytes, which must be signed."""
    links = re.findall(r'href="([^"]+\.pdf)"', site.get(SESSION)[1].decode())
    if not links:
        sys.exit(f"{SESSION} links to no PDF")
    response, pdf = site.get(links[0])
    if response.getheader("Content-Type") != "application/pdf" or b"/ByteRange" not in pdf:
        sys.exit(f"{links[0]} is not a signed PDF ({response.getheader('Content-Type')}, {len(pdf)} bytes)")
    return links[0], pdf


def last_page(site: Site) -> int:
    """The register's last page: a number past the end gives it (Paginator.get_page), whose «previous»
    link names the one before; checked to have no «next» link."""
    html = site.get("/resolutions/?page=999999999")[1].decode()
    before = re.search(r'rel="prev" href="\?(?:[^"]*&amp;)?page=(\d+)"', html)
    last = int(before.group(1)) + 1 if before else 1
    if 'rel="next"' in site.get(f"/resolutions/?page={last}")[1].decode():
        sys.exit(f"/resolutions/?page={last} is not the register's last page")
    return last


def figures(pdf: str, last: int) -> list[Figure]:
    search = "/search/?q=" + urllib.parse.quote("الميزانيه")
    return [
        Figure("session page", "/verify/", SESSION, 0.8),
        Figure("session page, French", "/fr/verify/", "/fr" + SESSION, 0.8),
        Figure("register", "/verify/", "/resolutions/", 0.5),
        Figure(f"register, last page ({last})", "/verify/", f"/resolutions/?page={last}", 0.2),
        Figure("search «الميزانيه»", "/verify/", search, 0.5),
        Figure("signed PDF download", f"/static/{SAME_SIZE}", pdf, 0.9),
    ]


def check(site: Site, figure: Figure) -> dict[str, int]:
    """Each side answers 200, a page in the language of its address; the size of each."""
    sizes = {}
    for path in (figure.floor, figure.page):
        response, body = site.get(path)
        language = "fr" if path.startswith("/fr/") else "ar"
        is_html = response.getheader("Content-Type", "").startswith("text/html")
        if is_html and f'lang="{language}"' not in body[:500].decode(errors="replace"):
            sys.exit(f"{path} is not in the language of its address ({language})")
        sizes[path] = len(body)
    return sizes


# Load


def wrk(site: Site, path: str, seconds: int) -> Run:
    command = [WRK, f"-c{CONNECTIONS}", f"-t{THREADS}", f"-d{seconds}s", "--timeout", "10s"]
    command.append(f"http://127.0.0.1:{site.port}{path}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode:
        sys.exit(f"wrk failed on {path}:\n{done.stderr}")
    return parse_wrk(done.stdout)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
BYTES = {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30}


def parse_wrk(output: str) -> Run:
    per_second = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    latency = re.search(r"^\s+Latency\s+([\d.]+)(us|ms|s|m)\b", output, re.MULTILINE)
    read = re.search(r"(\d+) requests in \S+, ([\d.]+)([KMG]?B) read", output)
    if not per_second or not latency or not read:
        sys.exit(f"wrk's output is not understood:\n{output}")
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"Socket errors: .*timeout (\d+)", output)
    errors = sum(int(found.group(1)) for found in (failed, timeouts) if found)
    size = float(read.group(2)) * BYTES[read.group(3)] / max(1, int(read.group(1)))
    return Run(float(per_second.group(1)), float(latency.group(1)) * UNITS[latency.group(2)], errors, size)


def measure(site: Site, figure: Figure, pairs: int, seconds: int) -> None:
    """A warm-up of each side (each process draws the page and keeps it), then floor and page alternately."""
    sizes = check(site, figure)
    load(site, figure.floor, 1, sizes[figure.floor])
    load(site, figure.page, 1, sizes[figure.page])
    for _ in range(pairs):
        figure.floor_runs.append(load(site, figure.floor, seconds, sizes[figure.floor]))
        figure.page_runs.append(load(site, figure.page, seconds, sizes[figure.page]))


def load(site: Site, path: str, seconds: int, size: int) -> Run:
    """One wrk run of `path`, whose answers must be the whole page of `size` bytes, about (wrk counts a
    redirect or an empty answer as an answer); returned once gunicorn has served what wrk left it: the
    requests queued when wrk stopped are still served (about one mean latency of the page: 8 connections
    shared by 3 processes), and would slow the next run down. Twice that, to be sure."""
    run = wrk(site, path, seconds)
    if abs(run.bytes_per_answer - size) > 0.1 * size + 2048:  # the headers, a page's varying token
        sys.exit(f"{path}: wrk read {run.bytes_per_answer:.0f} bytes per answer, the page is {size} bytes")
    time.sleep(min(10.0, 2 * run.latency_ms / 1000 + 0.2))
    return run


def print_table(rows: list[Figure], pairs: int, seconds: int) -> None:
    print(
        f"\nwrk: {CONNECTIONS} connections, {THREADS} threads, {seconds} s per run, {pairs} pair(s) floor/page "
        f"alternately; medians; ms: wrk's mean latency; {os.cpu_count()} cores\n"
    )
    print(f"{'figure':30} {'floor/s':>8} {'page/s':>8} {'ratio':>6} {'goal':>6} {'met':>4} {'floor ms':>8} {'page ms':>8}")  # fmt: skip
    for row in rows:
        print(
            f"{row.name:30} {row.median('floor'):8.1f} {row.median('page'):8.1f} {row.ratio:6.2f} "
            f"{'≥' + str(row.goal):>6} {'yes' if row.met else 'no':>4} "
            f"{row.median('floor', 'latency_ms'):8.1f} {row.median('page', 'latency_ms'):8.1f}"
        )
    print("\nEach pair, floor/page requests per second (their ratio):")
    for row in rows:
        pairs_seen = zip(row.floor_runs, row.page_runs, strict=True)
        each = ", ".join(
            f"{f.per_second:.0f}/{p.per_second:.0f} ({p.per_second / f.per_second:.2f})"
            for f, p in pairs_seen
        )
        errors = sum(run.errors for run in row.floor_runs + row.page_runs)
        print(
            f"  {row.name}: {each}  ({urllib.parse.unquote(row.floor)} against {urllib.parse.unquote(row.page)})"
            + (f", {errors} errors" if errors else "")
        )


def run(site: Site, sessions: int, seconds: int, pairs: int) -> list[Figure]:
    print(f"Building the data under {site.folder} ({sessions} sessions of history)…", flush=True)
    found = build(site, sessions)
    if found["public"] < RESOLUTIONS * sessions:
        sys.exit(f"{found['public']} public resolutions: {RESOLUTIONS * sessions} expected")
    with gunicorn(site):
        pdf_path, pdf = signed_pdf(site)
        last = last_page(site)
    # WhiteNoise lists STATIC_ROOT when its process starts: the file goes there before gunicorn starts again.
    (site.folder / "static" / SAME_SIZE).parent.mkdir(parents=True, exist_ok=True)
    (site.folder / "static" / SAME_SIZE).write_bytes(pdf)
    cache = found["cache"].rsplit(".", 1)[-1]
    if cache == "LocMemCache":
        cache += " (CACHE_URL unset, production's default: each gunicorn process keeps its own)"
    print(
        f"\ndata: {found['public']:,} public resolutions; the register's last page {last}; the signed PDF "
        f"{pdf_path}, {len(pdf):,} bytes\ncache: {cache}\nload average: {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    rows = figures(pdf_path, last)
    with gunicorn(site):
        if site.get(f"/static/{SAME_SIZE}")[1] != pdf:
            sys.exit("WhiteNoise does not serve the same-size file")
        for row in rows:
            measure(site, row, pairs, seconds)
            print(f"  {row.name}: {row.ratio:.2f}", flush=True)
    print_table(rows, pairs, seconds)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run (default 5)")
    parser.add_argument("--pairs", type=int, default=3, help="floor/page pairs per figure (default 3)")
    parser.add_argument("--short", action="store_true", help="50 sessions, 1 s runs, one pair; no goal")
    options = parser.parse_args()
    sessions, seconds, pairs = (50, 1, 1) if options.short else (1000, options.seconds, options.pairs)
    if not Path(WRK).exists():
        sys.exit("wrk is not installed: the Debian package wrk.")
    signal.signal(signal.SIGTERM, lambda number, _frame: sys.exit(128 + number))
    folder = Path(tempfile.mkdtemp(prefix="entraide-bench-production-"))
    started = time.monotonic()
    try:
        with postgres_server() as server:
            if server is None:
                sys.exit("PostgreSQL is not installed (and no BENCH_POSTGRES_URL): production runs on it.")
            with own_database(server) as database:
                port = free_port()
                rows = run(Site(folder, environment(folder, database, port), port), sessions, seconds, pairs)
    except BaseException:
        print(f"The run's folder is kept, its logs with it: {folder}", file=sys.stderr)
        raise
    shutil.rmtree(folder, ignore_errors=True)
    print(f"whole run: {time.monotonic() - started:.0f} s")
    missed = [row.name for row in rows if not row.met]
    if missed and not options.short:
        sys.exit(f"goals not met: {', '.join(missed)}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: every process it started is stopped")
