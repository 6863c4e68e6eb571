"""The cluster's figures, in one run: throughput and p99 latency through the load balancer with one and
with two application servers, and how long a render and a signature wait in the queue under a burst of
20 signatures.

    .venv/bin/python benchmarks/cluster.py [--seconds 5] [--pairs 3] [--clients 8] [--short]

It starts the layout of tests/cluster.py (PostgreSQL, SeaweedFS, Redis, the demo PKI, two servers of
gunicorn with 2 processes and a worker each, HAProxy) with the demo's data, under a temporary folder.
Each page is asked by `--clients` concurrent clients (closed loop: each asks again once answered) for
`--seconds`, through both servers and through one alternately, `--pairs` times, after a warm-up: whatever
else the machine does weighs on both layouts alike. One server: the second drained in HAProxy (its runtime
API), which then sends it nothing but its health checks; its processes stay, idle. This machine's cores
are shared by both servers, their workers, PostgreSQL, the object store and the clients themselves: the
ratio between one and two servers is bounded by the cores, not by the app (see the closing lines).
`--short` (the tests' run): 1 s per run, one pair, a burst of 2 signatures.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.cluster import Cluster, cluster  # noqa: E402

PAGES = {
    "session page": "/sessions/2025/2/",
    "register": "/resolutions/",
    "search": "/search/?q=" + urllib.parse.quote("الميزانية"),
    "PDF download": "/sessions/2025/2/minutes.pdf",
}
LAYOUTS = (2, 1)  # servers behind the balancer, in the order of each pair


@dataclass
class Load:
    """What the clients got from one layout, over all its runs."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def add(self, other: "Load") -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.seconds += other.seconds

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[int(len(ordered) * 0.99) - 1] * 1000 if ordered else float("nan")


def hammer(url: str, clients: int, seconds: float) -> Load:
    """The latencies of the answers, and the errors, of `clients` asking `url` for `seconds`."""
    load = Load()
    until = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(url, timeout=30) as answer:
                    answer.read()
                    ok = answer.status == 200
            except OSError:
                ok = False
            if ok:
                load.latencies.append(time.monotonic() - started)
            else:
                load.errors += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.monotonic() - begun
    return load


def layout(made: Cluster, servers: int) -> None:
    """`servers` application servers behind the balancer: the second drained for one, put back for two."""
    if servers == 1:
        made.drain(made.servers[1])
    else:
        made.put_back(made.servers[1])


def throughput(made: Cluster, clients: int, seconds: float, pairs: int) -> dict[str, dict[int, Load]]:
    """Each page through two servers and one, alternately, after a warm-up (the page cache, the
    connections); each layout's loads added up."""
    for path in PAGES.values():
        hammer(made.url + path, 2, 1)
    loads = {name: {servers: Load() for servers in LAYOUTS} for name in PAGES}
    for name, path in PAGES.items():
        for _ in range(pairs):
            for servers in LAYOUTS:
                layout(made, servers)
                loads[name][servers].add(hammer(made.url + path, clients, seconds))
    layout(made, 2)
    return loads


def print_throughput(loads: dict[str, dict[int, Load]], options: argparse.Namespace) -> None:
    print(
        f"\nThrough HAProxy, {options.clients} clients, {options.seconds:g} s per run, {options.pairs} pair(s) "
        f"of layouts alternately, {os.cpu_count()} cores:"
    )
    print(f"{'':14} {'1 server':>20} {'2 servers':>20} {'ratio':>7}")
    for name in PAGES:
        one, two = loads[name][1], loads[name][2]
        errors = one.errors + two.errors
        print(
            f"{name:14} {one.per_second:8.1f}/s p99 {one.p99_ms:5.0f} ms {two.per_second:8.1f}/s p99 "
            f"{two.p99_ms:5.0f} ms {two.per_second / one.per_second:6.2f}x"
            + (f"  ({errors} errors)" if errors else "")
        )


def burst(made: Cluster, signatures: int) -> None:
    """`signatures` asked at once with a preview; how long each waited in the queue and ran."""
    seeded = made.call("seed", burst=signatures, home=False)
    made.call("ask_signatures", approved=seeded["approved"], preview=seeded["review"])
    deadline = time.monotonic() + 600
    while True:
        outcome = made.call("jobs_outcome", approved=seeded["approved"], preview=seeded["review"])
        if all(job["status"] in {"done", "failed"} for job in outcome["jobs"]) or time.monotonic() > deadline:
            break
        time.sleep(2)
    for kind in ("signature", "preview"):
        jobs = [job for job in outcome["jobs"] if job["kind"] == kind]
        waits = sorted(job["wait"] for job in jobs if job["wait"] is not None)
        runs = sorted(job["run"] for job in jobs if job["run"] is not None)
        print(
            f"{len(jobs):2} {kind}(s) asked at once: wait in the queue median {statistics.median(waits):.1f} s, "
            f"longest {waits[-1]:.1f} s; each took median {statistics.median(runs):.1f} s in its worker"
            f" ({sum(job['status'] == 'done' for job in jobs)} done)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5, help="each run (default 5)")
    parser.add_argument("--pairs", type=int, default=3, help="runs of each layout per page (default 3)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--short", action="store_true", help="1 s per run, one pair, a burst of 2")
    options = parser.parse_args()
    signatures = 20
    if options.short:
        options.seconds, options.pairs, signatures = 1, 1, 2
    folder = Path(tempfile.mkdtemp(prefix="entraide-bench-cluster-"))
    print(f"Starting the cluster under {folder} with the demo's data…", flush=True)
    with cluster(folder, demo=True) as made:
        print_throughput(throughput(made, options.clients, options.seconds, options.pairs), options)
        burst(made, signatures)
        print(json.dumps({"folder": str(folder)}))


if __name__ == "__main__":
    main()
