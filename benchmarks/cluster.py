"""The cluster's figures, in one run: throughput and p99 latency through the load balancer with one and
with two application servers, and how long a render and a signature wait in the queue under a burst of
20 signatures.

    .venv/bin/python benchmarks/cluster.py [--seconds 10] [--clients 8]

It starts the layout of tests/cluster.py (PostgreSQL, SeaweedFS, Redis, the demo PKI, two servers of
gunicorn with 2 processes and a worker each, HAProxy) with the demo's data, under a temporary folder.
Each page is asked by `--clients` concurrent clients (closed loop: each asks again once answered) for
`--seconds`; first through both servers, then with the second stopped. This machine's cores are shared
by both servers, their workers, PostgreSQL, the object store and the clients themselves: the ratio
between one and two servers is bounded by the cores, not by the app (see the closing lines).
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.cluster import cluster  # noqa: E402

PAGES = {
    "session page": "/sessions/2025/2/",
    "register": "/resolutions/",
    "search": "/search/?q=" + urllib.parse.quote("الميزانية"),
    "PDF download": "/sessions/2025/2/minutes.pdf",
}


def hammer(url: str, clients: int, seconds: float) -> tuple[float, float, int]:
    """Requests per second, p99 latency in ms, and errors, of `clients` asking `url` for `seconds`."""
    latencies: list[float] = []
    errors = [0]
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
                latencies.append(time.monotonic() - started)
            else:
                errors[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begun
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
    return len(latencies) / elapsed, p99, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="entraide-bench-cluster-"))
    print(f"Starting the cluster under {folder} with the demo's data…", flush=True)
    with cluster(folder, demo=True) as made:
        figures: dict[str, dict[int, tuple[float, float, int]]] = {name: {} for name in PAGES}
        for servers in (2, 1):
            if servers == 1:
                made.stop(made.servers[1])
                time.sleep(7)  # until HAProxy has taken it out (3 checks 2 s apart)
            for name, path in PAGES.items():
                hammer(made.url + path, 2, 1)  # warm: the page cache, the connections
                figures[name][servers] = hammer(made.url + path, options.clients, options.seconds)
        print(
            f"\nThrough HAProxy, {options.clients} clients, {options.seconds:.0f} s per page, {os.cpu_count()} cores:"
        )
        print(f"{'':14} {'1 server':>20} {'2 servers':>20} {'ratio':>7}")
        for name in PAGES:
            one, two = figures[name][1], figures[name][2]
            print(
                f"{name:14} {one[0]:8.1f}/s p99 {one[1]:5.0f} ms {two[0]:8.1f}/s p99 {two[1]:5.0f} ms"
                f" {two[0] / one[0]:6.2f}x" + (f"  ({one[2] + two[2]} errors)" if one[2] + two[2] else "")
            )
        made.start(made.servers[1])
        time.sleep(5)
        seeded = made.call("seed", burst=20, home=False)
        made.call("ask_signatures", approved=seeded["approved"], preview=seeded["review"])
        deadline = time.monotonic() + 600
        while True:
            outcome = made.call("jobs_outcome", approved=seeded["approved"], preview=seeded["review"])
            if (
                all(job["status"] in {"done", "failed"} for job in outcome["jobs"])
                or time.monotonic() > deadline
            ):
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
        print(json.dumps({"folder": str(folder)}))


if __name__ == "__main__":
    main()
