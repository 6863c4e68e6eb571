"""The decisions register, the search and a published session's page at scale, on SQLite and on
PostgreSQL, in one run.

    DEBUG=1 .venv/bin/python benchmarks/register.py [--runs 30] [--short]

Builds the home board's history (`generate_history --boards 1`: 1,000 sessions, 20,000 public
resolutions) in a throw-away SQLite database and in a throw-away PostgreSQL database, then requests each
page through the whole stack (django.test.Client: middleware, URL resolution, view, queries, template) and
prints the median time of each, with the number of queries it makes. The floor is a page that makes no
query at all (`/verify/`, its form): what the stack costs before any database work. The public pages are
kept once drawn (meetings.pages.kept): each is measured as kept and as drawn at every request (the cache
emptied before each; for a published session's page, a query string, which bypasses it).

Each backend runs in a child process of its own (`--backend sqlite --json`), since Django reads its
settings once per process, with DEBUG off so that queries are not recorded while they are timed.
PostgreSQL: the server of BENCH_POSTGRES_URL, or of DATABASE_URL when it is a postgres:// one, in a
database the benchmark creates and drops; else a temporary cluster started the way `.ci/run` starts one,
stopped at the end; the column is left out when PostgreSQL is not installed. generate_history ends
with ANALYZE, as after any bulk load. `--short` (the tests' run): 2 boards of 10 sessions of 5
resolutions, 2 runs per figure, the same table.
"""

import argparse
import contextlib
import glob
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HISTORY = {"boards": 1, "sessions": 1000, "resolutions": 20}
SHORT_HISTORY = {"boards": 2, "sessions": 10, "resolutions": 5}
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# In the child: one backend


def setup_django(backend: str, server: str | None) -> str:
    """Settings for `backend`, with DEBUG off; returns the throw-away folder of the database and media."""
    folder = tempfile.mkdtemp()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "entraide.settings",
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only",
            "ALLOWED_HOSTS": "localhost",
            # Plain HTTP through the test client, as behind the proxy that ends TLS (production's default
            # redirects to HTTPS: every page would measure a 301).
            "SECURE_SSL_REDIRECT": "0",
            "MEDIA_ROOT": f"{folder}/media",
            "DATABASE_URL": server if backend == "postgresql" else f"sqlite:///{folder}/bench.sqlite3",
        }
    )
    sys.path.insert(0, str(ROOT))
    import warnings

    warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise: no collectstatic here
    import django

    django.setup()
    return folder


@contextlib.contextmanager
def empty_database() -> Iterator[None]:
    """Migrated and empty: a file for SQLite; a database of its own on the PostgreSQL server, dropped after."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
        yield
        return
    server_database = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"entraide_bench_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(server_database, verbosity=0)


def build_history(history: dict[str, int]) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("generate_history", "--force", *(f"--{k}={v}" for k, v in history.items()), stdout=quiet)
    return time.perf_counter() - started


def pages() -> list[tuple[str, str]]:
    """The pages measured; the filtered one on the year with the most adopted resolutions in progress."""
    from decisions.models import PublishedResolution
    from meetings.models import PublishedSession

    in_progress = (
        PublishedResolution.objects.public()
        .filter(outcome="adopted", latest_status="in_progress")  # the status kept on the row
        .values_list("session__year", flat=True)
    )
    year = Counter(in_progress).most_common(1)[0][0]
    session = PublishedSession.objects.public().first().get_absolute_url()
    last = (PublishedResolution.objects.public().count() + 24) // 25
    filtered = f"/resolutions/?year={year}&status=in_progress&outcome=adopted"
    return [
        ("floor: /verify/ form", "/verify/"),
        # A query string bypasses the page cache: the record as signed, rendered at each request.
        ("session page, rendered each time", f"{session}?fresh=1"),
        ("session page, cached", session),
        ("register, cached", "/resolutions/"),
        # «drawn»: the cache emptied before each request, as after a publication or for an address
        # nobody asked for since.
        ("register, drawn", f"{DRAWN}/resolutions/"),
        ("register, page 30, drawn", f"{DRAWN}/resolutions/?page=30"),
        (f"register, last page ({last}), drawn", f"{DRAWN}/resolutions/?page={last}"),
        ("filtered: year, status, outcome, drawn", DRAWN + filtered),
        ("search «الميزانيه», cached", "/search/?q=الميزانيه"),
        ("search «الميزانيه», drawn", f"{DRAWN}/search/?q=الميزانيه"),
    ]


DRAWN = "drawn:"  # before a URL: the cache is emptied before each request to it


def median_ms(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def replay(sqls: list[str]) -> None:
    """The page's queries run again as they were sent, every row fetched: its database time alone."""
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute(sql)
            cursor.fetchall()


def measure(runs: int) -> list[dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    rows = []
    for label, address in pages():
        url = address.removeprefix(DRAWN)

        drawn = address.startswith(DRAWN)

        def get(url=url, drawn=drawn):
            if drawn:
                cache.clear()
            return client.get(url)

        get()  # the warm-up: templates, connection, and the page cache of a published session
        with CaptureQueriesContext(connection) as queries:
            response = get()
        assert response.status_code == 200, (url, response.status_code)
        # Read now: the next request clears the log they are read from.
        sqls = [query["sql"] for query in queries.captured_queries]
        rows.append(
            {
                "label": label,
                "url": url,
                "queries": len(sqls),
                "ms": median_ms(runs, get),
                "db_ms": median_ms(runs, lambda sqls=sqls: replay(sqls)),
            }
        )
    return rows


def exports() -> list[dict]:
    """The CSV and JSON exports, of the whole register and of its latest year: their size, the time to
    their first bytes and to their last, and the peak of what Python allocates while one is read whole
    (tracemalloc, in a run of its own, since tracing slows the rest): streamed, an export's memory should
    not grow with what it holds."""
    import tracemalloc

    from django.test import Client

    from meetings.models import PublishedSession

    client = Client(HTTP_HOST="localhost")
    year = PublishedSession.objects.public().order_by("-year").values_list("year", flat=True).first()
    rows = []
    for label, url in [
        ("CSV, the whole register", "/resolutions.csv"),
        ("CSV, its latest year", f"/resolutions.csv?year={year}"),
        ("JSON, the whole register", "/resolutions.json"),
        ("JSON, its latest year", f"/resolutions.json?year={year}"),
    ]:
        started = time.perf_counter()
        chunks = iter(client.get(url).streaming_content)
        size = len(next(chunks))
        first = time.perf_counter() - started
        size += sum(len(chunk) for chunk in chunks)
        whole = time.perf_counter() - started
        tracemalloc.start()
        for _ in client.get(url).streaming_content:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append(
            {"label": label, "bytes": size, "first_ms": first * 1000, "ms": whole * 1000, "peak": peak}
        )
    return rows


def child(backend: str, runs: int, history: dict[str, int]) -> dict:
    server = os.environ.get("BENCH_SERVER_URL") or given_postgres_url()
    if backend == "postgresql" and not server:
        sys.exit("--backend postgresql alone needs BENCH_POSTGRES_URL (or a postgres:// DATABASE_URL).")
    folder = setup_django(backend, server)
    try:
        with empty_database():
            return {"build_s": build_history(history), "pages": measure(runs), "exports": exports()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# In the parent: a PostgreSQL server, the children, the table


def given_postgres_url() -> str | None:
    given = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    return given if given.startswith(("postgres://", "postgresql://")) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_bin() -> Path | None:
    found = glob.glob("/usr/lib/postgresql/*/bin")
    return Path(max(found, key=lambda p: int(Path(p).parent.name))) if found else None


@contextlib.contextmanager
def postgres_server() -> Iterator[str | None]:
    """The URL of a PostgreSQL server: the one given, else a temporary cluster like .ci/run's (None if
    PostgreSQL is not installed)."""
    given = given_postgres_url()
    if given:
        yield given
        return
    pgbin = _postgres_bin()
    if pgbin is None:
        yield None
        return
    work = Path(tempfile.mkdtemp())
    port = free_port()
    # PostgreSQL refuses to run as root.
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    if os.getuid() == 0:
        shutil.chown(work, "postgres")
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    pg_ctl = [*as_postgres, str(pgbin / "pg_ctl"), "-D", str(work / "data")]
    try:
        subprocess.run(
            [*as_postgres, str(pgbin / "initdb"), "-D", str(work / "data"), "-U", "postgres", "--auth=trust"]
            + ["--encoding=UTF8", "--locale=C.UTF-8"],
            **quiet,
        )
        options = f"-p {port} -k {work} -c listen_addresses=127.0.0.1"
        subprocess.run([*pg_ctl, "-l", str(work / "postgres.log"), "-w", "-o", options, "start"], **quiet)
        yield f"postgres://postgres@127.0.0.1:{port}/entraide"
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def run_child(backend: str, runs: int, server: str | None, short: bool) -> dict:
    env = {**os.environ, "BENCH_SERVER_URL": server or ""}
    command = [sys.executable, __file__, "--backend", backend, "--runs", str(runs), "--json"]
    command += ["--short"] if short else []
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{backend} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(results: dict, runs: int, history: dict[str, int]) -> None:
    made = " × ".join(f"{v} {k}" for k, v in history.items())
    print(f"history: {made} (generate_history); runs per figure: {runs}")
    print("build s: " + ", ".join(f"{BACKENDS[b]} {r['build_s']:.1f}" for b, r in results.items()))
    columns = " ".join(f"{BACKENDS[b] + ' ms':>14} {'db ms':>6}" for b in results)
    print(f"\n{'page':34} {'queries':>7} {columns}")
    for same_page in zip(*(r["pages"] for r in results.values()), strict=True):
        # Each backend counts its own queries: a difference would be worth a look, so it is shown.
        queries = "/".join(sorted({str(p["queries"]) for p in same_page}))
        figures = " ".join(f"{p['ms']:14.1f} {p['db_ms']:6.1f}" for p in same_page)
        print(f"{same_page[0]['label']:34} {queries:>7} {figures}")
    urls = "\n".join(f"  {p['label']}: {p['url']}" for p in next(iter(results.values()))["pages"])
    print(
        "\nms: median time of a request through the whole stack (django.test.Client); db ms: median time "
        f"of the same queries run alone, every row fetched.\n{urls}"
    )
    columns = " ".join(f"{BACKENDS[b] + ': first ms':>18} {'all ms':>7} {'peak MiB':>8}" for b in results)
    print(f"\n{'export':26} {'MB':>6} {columns}")
    for same in zip(*(r["exports"] for r in results.values()), strict=True):
        figures = " ".join(f"{e['first_ms']:18.1f} {e['ms']:7.0f} {e['peak'] / 2**20:8.1f}" for e in same)
        print(f"{same[0]['label']:26} {same[0]['bytes'] / 1e6:6.2f} {figures}")
    print("peak MiB: what Python allocated at most while the export was read whole (tracemalloc).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", choices=BACKENDS, help="measure this backend only, in this process")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (with --backend)")
    parser.add_argument("--short", action="store_true", help="a small history, 2 runs per figure")
    args = parser.parse_args()
    history, runs = (SHORT_HISTORY, 2) if args.short else (HISTORY, args.runs)
    if args.backend:
        result = child(args.backend, runs, history)
        if args.json:
            print(json.dumps(result))
        else:
            print_table({args.backend: result}, runs, history)
        return
    results = {}
    with postgres_server() as server:
        results["sqlite"] = run_child("sqlite", runs, None, args.short)
        if server:
            results["postgresql"] = run_child("postgresql", runs, server, args.short)
        else:
            print("PostgreSQL: not installed and no BENCH_POSTGRES_URL, its column is left out\n")
    print_table(results, runs, history)


if __name__ == "__main__":
    main()
