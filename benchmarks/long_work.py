"""Long work off the request: what the secretariat's click costs now, what the worker then does, and
what the same work cost inside the request before, in one run.

    DEBUG=1 .venv/bin/python benchmarks/long_work.py [--runs 5] [--short]

In a throw-away SQLite database: the demo (load_demo) and a session of the test actors with approved
minutes. For the preview and the signature it prints the median time of the request that asks for it
(the test client, through the admin's URLs and middleware), the median time the worker takes to do it
(`manage.py db_worker`'s own loop, in this process), and the median time of the same rendering done in
the request as before (meetings.minutes.pdf). Then the worst cases the issue measured (a pasted 1 MB text:
92 s and 251 pages inside a request): sessions whose three, then six, deliberations are at their
100,000-character limit; the page limit (MINUTES_MAX_PAGES) stops the second. `--short` (the tests'
run): one run of each, and the worst cases with one and two such deliberations under a limit of 40 pages,
which stops the second.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entraide.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # the table, not each rendering step
os.environ["DATABASE_URL"] = "sqlite:///" + tempfile.mkdtemp() + "/bench.sqlite3"
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp()
os.environ["ALLOWED_HOSTS"] = "testserver"
# A demo PKI of the run's own (init_signing below), answered by its responder in a thread of this process.
SIGNING = Path(tempfile.mkdtemp())
os.environ["SIGNING_PKCS12"], os.environ["SIGNING_TRUST_ROOTS"] = (
    str(SIGNING / "i.p12"),
    str(SIGNING / "ca.pem"),
)
PKI_PORT = 18790 + os.getpid() % 1000
os.environ["SIGNING_DEMO_PKI_URL"] = f"http://127.0.0.1:{PKI_PORT}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from meetings.minutes.pdf import render_minutes_pdf  # noqa: E402
from meetings.models import Job, Minutes, Session  # noqa: E402
from meetings.models.record import LONG_TEXT  # noqa: E402
from meetings.seal import demo_pki, signing_service  # noqa: E402
from tests import factory  # noqa: E402
from tests.actors import actors  # noqa: E402
from tests.client import Client  # noqa: E402


def work_the_queue() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, stdout=io.StringIO())


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def worker_seconds(job: Job) -> float:
    job.refresh_from_db()
    assert job.is_finished, job.status
    return (job.finished_at - job.started_at).total_seconds()


def preview_figures(client: Client, session: Session, runs: int) -> dict:
    asked, worked, before = [], [], []
    for _ in range(runs):
        Job.objects.filter(session=session).delete()  # a new record each time: nothing to reuse
        seconds, response = timed(
            lambda: client.post(f"/admin/meetings/session/{session.pk}/minutes-preview/")
        )
        assert response.status_code == 302, response.status_code
        asked.append(seconds)
        work_the_queue()
        worked.append(worker_seconds(Job.objects.get(session=session)))
        before.append(timed(lambda: render_minutes_pdf(Session.objects.with_record().get(pk=session.pk)))[0])
    return {"request": asked, "worker": worked, "in the request, before": before}


def signature_figures(runs: int) -> dict:
    asked, worked = [], []
    for _ in range(runs):
        cast = actors(home=False)
        minutes = cast.minutes(Minutes.State.APPROVED)
        client = Client()
        client.force_login(cast.secretary)
        seconds, response = timed(
            lambda m=minutes, c=client: c.post(
                f"/admin/meetings/minutes/{m.pk}/move/sign/", {"confirm": "on"}
            )
        )
        assert response.status_code == 302, response.status_code
        asked.append(seconds)
        work_the_queue()
        worked.append(worker_seconds(Job.objects.get(minutes=minutes)))
    return {"request": asked, "worker": worked}


def worst_case(client: Client, items: int) -> tuple[float, float, Job]:
    session = factory.session(factory.board(is_home=False))
    for position in range(1, items + 1):
        factory.agenda_item(session, position, deliberation=("نص المداولة الطويل. " * 6000)[:LONG_TEXT])
    asked, _response = timed(lambda: client.post(f"/admin/meetings/session/{session.pk}/minutes-preview/"))
    work_the_queue()
    job = Job.objects.get(session=session)
    return asked, worker_seconds(job), job


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:9.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--short", action="store_true", help="one run; smaller worst cases, a lower limit")
    options = parser.parse_args()
    runs, worst_cases = (1, (1, 2)) if options.short else (options.runs, (3, 6))
    if options.short:
        settings.MINUTES_MAX_PAGES = 40  # two deliberations at their limit pass it, as six pass 150
    call_command("migrate", verbosity=0)
    call_command("init_signing", stdout=io.StringIO())
    threading.Thread(
        target=demo_pki.server("127.0.0.1", PKI_PORT, quiet=True).serve_forever, daemon=True
    ).start()
    # The demo's approvals sign with the approvers' keys at the demo signing service.
    settings.SIGNING_SERVICE_URL = signing_service.start("127.0.0.1", 0, quiet=True).url
    call_command("load_demo", stdout=io.StringIO())
    client = Client()
    client.force_login(factory.secretariat_user("bench"))
    demo = Session.objects.get(year=2025, ordinal=2, board__is_home=True)

    print(f"median of {runs} runs, milliseconds")
    print(f"{'':34}{'request':>9}{'worker':>9}{'before':>9}")
    preview = preview_figures(client, demo, runs)
    print(
        f"{'preview of the demo minutes':34}{median_ms(preview['request'])}{median_ms(preview['worker'])}"
        f"{median_ms(preview['in the request, before'])}"
    )
    signature = signature_figures(runs)
    print(
        f"{'signature (render + sign + store)':34}{median_ms(signature['request'])}{median_ms(signature['worker'])}"
    )
    print()
    for items in worst_cases:
        asked, worked, job = worst_case(client, items)
        print(
            f"{items} deliberations of {LONG_TEXT:,} characters: the request {asked * 1000:.0f} ms, the worker "
            f"{worked:.1f} s, {job.pages} pages laid out, {job.status}: {job.message[:70]}"
        )


if __name__ == "__main__":
    main()
