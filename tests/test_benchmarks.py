"""Every script of benchmarks/ still runs: its smallest run (`--short`) exits 0 and prints its table.

No figure is asserted: a figure is for a person to read against the others of its run (docs/benchmarks.md),
on a machine whose other work moves it. The cluster's benchmark starts the cluster (tests/cluster.py), and
runs with the cluster's tests."""

import json
import re
import shutil
import signal
import subprocess
import sys

import pytest

from tests.processes import PROJECT

# The longest, production.py, builds its data and measures six figures in 1 to 2 minutes on 2 cores.
SECONDS = 600


def short_run(script: str) -> str:
    """What `benchmarks/<script>.py --short` printed; it must exit 0 within SECONDS. One that takes longer
    is stopped as Ctrl-C stops it, so that it stops what it started (servers of its own)."""
    command = [sys.executable, f"benchmarks/{script}.py", "--short"]
    with subprocess.Popen(
        command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as run:
        try:
            out, err = run.communicate(timeout=SECONDS)
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGINT)
            out, err = run.communicate(timeout=120)
            pytest.fail(f"{script}.py --short took more than {SECONDS} s:\n{out[-2000:]}\n{err[-3000:]}")
    assert run.returncode == 0, (
        f"{script}.py --short exited with {run.returncode}:\n{out[-2000:]}\n{err[-3000:]}"
    )
    return out


def prints(pattern: str, out: str) -> bool:
    return re.search(pattern, out, re.MULTILINE) is not None


@pytest.mark.slow  # PostgreSQL, the demo PKI and gunicorn of its own, and wrk (make test-all)
@pytest.mark.timeout(SECONDS + 180)
def test_production_prints_each_page_against_its_floor():
    out = short_run("production")
    assert prints(r"^figure\s+floor/s\s+page/s\s+ratio\s+goal\s+met", out), out
    assert prints(r"^signed PDF download\s", out), out


@pytest.mark.slow  # SQLite and PostgreSQL databases of its own (make test-all)
@pytest.mark.timeout(SECONDS + 180)
def test_register_prints_each_page_on_both_databases():
    out = short_run("register")
    assert prints(r"^page\s+queries\s+SQLite ms", out), out


@pytest.mark.cluster  # starts the cluster: runs with tests/test_cluster.py
@pytest.mark.timeout(SECONDS + 180)
def test_cluster_prints_one_server_against_two_and_the_queue():
    out = short_run("cluster")
    shutil.rmtree(json.loads(out.strip().splitlines()[-1])["folder"])  # it keeps its folder for a look
    assert prints(r"^\s+1 server\s+2 servers\s+ratio", out), out
    assert prints(r"signature\(s\) asked at once", out), out


@pytest.mark.slow  # a worker and the demo PKI in its own process (make test-all)
@pytest.mark.timeout(SECONDS + 180)
def test_long_work_prints_the_request_against_the_worker():
    out = short_run("long_work")
    assert prints(r"^\s+request\s+worker\s+before", out), out
    assert prints(r"^2 deliberations of", out), out


@pytest.mark.slow  # PostgreSQL, gunicorn and a worker of its own (make test-all)
@pytest.mark.timeout(SECONDS + 180)
def test_outage_prints_what_the_readers_and_the_worker_went_through():
    out = short_run("outage")
    assert prints(r"^PostgreSQL stopped for", out), out
    assert prints(r"delivered .* after the restart", out), out


@pytest.mark.slow  # WeasyPrint and Chromium (make test-all)
@pytest.mark.timeout(SECONDS + 180)
def test_pdf_prints_each_renderer():
    out = short_run("pdf")
    assert prints(r"^session\s+renderer\b", out), out


@pytest.mark.slow  # the demo PKI in its own process (make test-all)
@pytest.mark.timeout(SECONDS + 180)
def test_seal_prints_the_seal_and_the_check():
    out = short_run("seal")
    assert prints(r"^\s+first\s+median\b", out), out
