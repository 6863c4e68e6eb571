"""The secretariat's long work goes to the task queue: the preview of the draft minutes and the signature.
The request returns at once with a page that follows the job; the real worker (`manage.py db_worker`)
does the work; a rendering past the page limit, a disk that refuses the file or a worker killed in the
middle leave no file and the minutes as they were, with a message saying so.

Transactional tests, as in test_notifications.py: a task is queued when its transaction commits."""

import datetime
import io
import resource
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from meetings.models import Job, Minutes
from tests import factory, pdf
from tests.actors import actors
from tests.database import put_back_migrated_rows
from tests.mail import work_the_queue
from tests.pages import visible_text

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

State = Minutes.State
N = pdf.normalized
ALREADY_UNDER_WAY = "توقيع هذا المحضر قيد الإنجاز من قبل."
NOTHING_SIGNED = "لم يوقَّع شيء: ما زال المحضر مصادقا عليه؛ وقّعوه من جديد."


@pytest.fixture(scope="module", autouse=True)
def _migrated_rows_put_back(django_db_blocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        put_back_migrated_rows()


def sign_url(minutes: Minutes) -> str:
    return f"/admin/meetings/minutes/{minutes.pk}/move/sign/"


def preview_url(session) -> str:
    return f"/admin/meetings/session/{session.pk}/minutes-preview/"


def stored_pdfs(settings, folder: str) -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / "minutes" / folder).glob("*.pdf"))


def asks_signature(client, minutes: Minutes):
    return client.post(sign_url(minutes), {"confirm": "on"})


# The signature


def test_the_sign_button_returns_at_once_and_the_worker_signs(client, settings):
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    client.force_login(cast.secretary)

    response = asks_signature(client, minutes)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/meetings/job/{job.pk}/progress/"
    minutes.refresh_from_db()
    assert (minutes.state, job.status) == (State.APPROVED, Job.Status.QUEUED)
    waiting = client.get(response["Location"])
    assert "في انتظار أن يتسلمه المنفِّذ." in visible_text(waiting)
    assert client.get(f"/admin/meetings/job/{job.pk}/status.json").json()["finished"] is False

    work_the_queue()

    minutes.refresh_from_db()
    job.refresh_from_db()
    assert (minutes.state, job.status) == (State.SIGNED, Job.Status.DONE)
    [signed] = stored_pdfs(settings, "signed")
    assert minutes.pdf.name == f"minutes/signed/{signed.name}"
    # pdfsig exits 0 whatever it finds: its text is the verdict.
    found = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature Validation: Signature is Valid." in found
    done = visible_text(client.get(response["Location"]))
    assert "وُقِّع المحضر." in done
    assert f"SHA-256 {minutes.sha256}" in done
    assert client.get(f"/admin/meetings/job/{job.pk}/status.json").json()["finished"] is True


def test_a_second_click_while_the_signature_waits_is_refused_and_makes_one_signature(client, settings):
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    client.force_login(cast.secretary)
    asks_signature(client, minutes)

    again = asks_signature(client, minutes)

    assert again["Location"] == f"/admin/meetings/minutes/{minutes.pk}/change/"
    page = client.get(again["Location"])
    assert ALREADY_UNDER_WAY in visible_text(page)
    assert "التوقيع قيد الإنجاز: تابعوه" in visible_text(page)
    assert Job.objects.count() == 1
    work_the_queue()
    assert len(stored_pdfs(settings, "signed")) == 1


def test_the_signature_is_refused_at_once_to_an_account_that_may_not_sign(client):
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    client.force_login(User.objects.create_user("clerk", password="cl3rk-pass!", is_staff=True))

    assert asks_signature(client, minutes).status_code == 403
    assert not Job.objects.exists()


@contextmanager
def files_limited_to(size: int) -> Iterator[None]:
    """The operating system refuses to let this process write a file past `size` bytes (EFBIG), as a full
    disk refuses (ENOSPC): a file being written stops half-way."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the error, instead of the signal's kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_disk_that_refuses_the_signed_file_leaves_no_file_and_the_minutes_approved(client, settings):
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    client.force_login(cast.secretary)
    job_page = asks_signature(client, minutes)["Location"]

    with files_limited_to(20_000):  # a signed PDF of the minutes is ten times as large
        work_the_queue()

    minutes.refresh_from_db()
    assert (minutes.state, minutes.pdf.name, minutes.sha256) == (State.APPROVED, "", "")
    assert stored_pdfs(settings, "signed") == []
    said = visible_text(client.get(job_page))
    assert "تعذرت كتابة الملف (File too large): قد يكون تخزين الخادم ممتلئا؛ أخبروا فريق المعلوميات." in said
    assert NOTHING_SIGNED in said
    # Once the disk has room, the same button signs.
    asks_signature(client, minutes)
    work_the_queue()
    minutes.refresh_from_db()
    assert minutes.state == State.SIGNED
    assert len(stored_pdfs(settings, "signed")) == 1


def test_a_worker_killed_after_writing_the_file_leaves_no_orphan_once_the_signature_is_asked_again(
    client, settings
):
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    client.force_login(cast.secretary)
    asks_signature(client, minutes)
    # What a worker killed between writing the file and committing leaves: its job running, the name it
    # noted before writing, the file, and the minutes still approved (nothing of it was committed).
    killed = Job.objects.get()
    orphan = Path(settings.MEDIA_ROOT) / "minutes" / "signed" / "2025-2-v1-0123456789ab.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"%PDF-1.7 half of a signed file")
    Job.objects.filter(pk=killed.pk).update(
        status=Job.Status.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=11),
        writing="minutes/signed/2025-2-v1-0123456789ab.pdf",
    )

    response = asks_signature(client, minutes)

    killed.refresh_from_db()
    assert killed.status == Job.Status.FAILED
    assert NOTHING_SIGNED in killed.message
    assert not orphan.exists()
    assert response["Location"] != f"/admin/meetings/job/{killed.pk}/progress/"
    work_the_queue()
    minutes.refresh_from_db()
    assert minutes.state == State.SIGNED
    assert [p.name for p in stored_pdfs(settings, "signed")] == [Path(minutes.pdf.name).name]


def test_the_work_in_the_queue_is_listed_with_a_link_to_each_job(client):
    cast = actors()
    client.force_login(cast.secretary)
    job_page = asks_signature(client, cast.minutes(State.APPROVED))["Location"]

    listed = client.get("/admin/meetings/job/")

    assert listed.status_code == 200
    assert f'href="{job_page}"' in listed.content.decode()
    assert "توقيع المحضر" in visible_text(listed)


def test_a_job_is_shown_only_to_the_secretariat_and_to_whoever_asked_it(client):
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    client.force_login(cast.secretary)
    job_page = asks_signature(client, minutes)["Location"]

    client.force_login(User.objects.create_user("clerk", password="cl3rk-pass!", is_staff=True))

    assert client.get(job_page).status_code == 403
    assert client.get(job_page.replace("progress/", "status.json")).status_code == 403


# The preview


def test_the_preview_is_rendered_by_the_worker_and_shown_from_its_page(client):
    cast = actors()
    client.force_login(cast.secretary)

    response = client.post(preview_url(cast.session))

    job = Job.objects.get()
    assert response["Location"] == f"/admin/meetings/job/{job.pk}/progress/"
    assert client.get(f"/admin/meetings/job/{job.pk}/preview.pdf").status_code == 404
    work_the_queue()
    page = client.get(response["Location"])
    assert "المعاينة جاهزة." in visible_text(page)
    assert f'href="/admin/meetings/job/{job.pk}/preview.pdf"' in page.content.decode()
    preview = client.get(f"/admin/meetings/job/{job.pk}/preview.pdf")
    assert preview["Content-Type"] == "application/pdf"
    assert 'filename="draft-minutes-' in preview["Content-Disposition"]
    pages = pdf.page_texts(preview.content)
    assert all(N("مسودة") in text for text in pages)
    job.refresh_from_db()
    assert job.pages == len(pages)


def test_a_preview_asked_behind_signatures_is_rendered_before_them(client):
    cast = actors()
    waiting = []
    for ordinal in (3, 4):
        earlier = factory.session(cast.session.board, datetime.date(2025, 12, ordinal), ordinal)
        factory.attend(earlier, cast.president.member)
        factory.attend(earlier, cast.rapporteur.member)
        waiting.append(factory.minutes_at(earlier, State.APPROVED, by=cast.secretary))
    client.force_login(cast.secretary)
    for minutes in waiting:
        asks_signature(client, minutes)
    client.post(preview_url(cast.session))

    call_command("db_worker", batch=True, max_tasks=1, startup_delay=False, interval=0, stdout=io.StringIO())

    assert list(Job.objects.order_by("pk").values_list("kind", "status")) == [
        ("signature", "queued"),
        ("signature", "queued"),
        ("preview", "done"),
    ]


def test_the_same_record_is_not_rendered_twice_and_a_changed_one_replaces_the_old_preview(client, settings):
    cast = actors()
    client.force_login(cast.secretary)
    first = client.post(preview_url(cast.session))["Location"]
    work_the_queue()

    assert client.post(preview_url(cast.session))["Location"] == first
    assert Job.objects.count() == 1

    cast.item.title = "مشروع مخطط العمل المعدل"
    cast.item.save()
    second = client.post(preview_url(cast.session))["Location"]
    work_the_queue()

    assert second != first
    assert Job.objects.count() == 1
    assert len(stored_pdfs(settings, "previews")) == 1
    assert client.get(first).status_code == 404


def test_a_rendering_past_the_page_limit_stops_and_says_so(client, settings):
    settings.MINUTES_MAX_PAGES = 2
    cast = actors()
    factory.agenda_item(cast.session, 2, title="مداولة طويلة", deliberation="نص المداولة. " * 6000)
    client.force_login(cast.secretary)

    job_page = client.post(preview_url(cast.session))["Location"]
    work_the_queue()

    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.pages == 2
    said = visible_text(client.get(job_page))
    assert "سيُطبع المحضر على أكثر من 2 صفحة، وهو أقصى ما يقبله الإخراج." in said
    assert stored_pdfs(settings, "previews") == []


def test_the_session_page_asks_for_the_preview_with_a_button(client):
    cast = actors()
    client.force_login(cast.secretary)

    html = client.get(f"/admin/meetings/session/{cast.session.pk}/change/").content.decode()

    assert f'action="{preview_url(cast.session)}"' in html
    assert client.get(preview_url(cast.session)).status_code == 404  # asked by POST only
