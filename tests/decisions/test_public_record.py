"""While a correction of published minutes is drafted, the public reads the record as it was signed: the
session's page, the archive, the register, a resolution's page, the search, the exports and the calendar
say what the published PDF says, whatever the secretariat is changing in the working rows."""

import datetime
import json

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from decisions.models import FollowUp, PublishedFollowUp, PublishedResolution
from meetings.minutes import lifecycle
from meetings.models import AgendaItem, Minutes, PublishedAgendaItem, PublishedSession
from tests import factory, pdf
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

SIGNED = {
    "place": "مقر التعاون الوطني بالرباط",
    "deliberation": "تداول المجلس في مشروع مخطط العمل وصادق عليه",
    "title": "المصادقة على مخطط عمل سنة 2026",
    "note": "انطلقت الأشغال في ثلاث جهات",
}
# What the secretariat types in the correction, not signed yet: one distinctive word in each.
DRAFTED = {
    "place": "قاعة الاجتماعات الكبرى بطنجة",
    "deliberation": "تداول المجلس في الزعفران مطولا",
    "title": "المصادقة على مخطط الزعفران",
    "note": "أنجز الزعفران بالكامل",
}
WORD = "الزعفران"
PAGE = "/sessions/2025/2/"


@pytest.fixture(scope="module")
def correction(django_db_setup, django_db_blocker, module_media):
    """The December 2025 session, published (following up a June resolution), then a correction started
    and the working rows changed everywhere the public looks: place, date, deliberation, resolution,
    follow-up note. Signed once for the module; each test's own changes are rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        home = factory.board()
        june = factory.session(home, datetime.date(2025, 6, 20), 1)
        earlier = factory.resolution(june, 1, title="تأهيل مراكز التكوين")
        factory.publish(june)
        dec = factory.session(home, datetime.date(2025, 12, 18), 2, place=SIGNED["place"])
        item = factory.agenda_item(dec, 1, title="مخطط العمل", deliberation=SIGNED["deliberation"])
        resolution = factory.resolution(dec, 1, agenda_item=item, title=SIGNED["title"])
        follow_up = factory.follow_up(earlier, dec, FollowUp.Status.IN_PROGRESS, note=SIGNED["note"])
        published = factory.publish(dec)
        secretary = published.transitions.last().by
        lifecycle.start_version(dec, by=secretary, reason="تصحيح")
        dec.refresh_from_db()
        dec.place, dec.date = DRAFTED["place"], datetime.date(2026, 1, 8)
        dec.save()
        item.deliberation = DRAFTED["deliberation"]
        item.save()
        resolution.title = DRAFTED["title"]
        resolution.save()
        follow_up.note, follow_up.status = DRAFTED["note"], FollowUp.Status.DONE
        follow_up.save()
        yield {"session": dec, "published": published, "secretary": secretary, "earlier": earlier}
        transaction.set_rollback(True)


def test_the_working_rows_did_change(correction):
    assert AgendaItem.objects.get(session=correction["session"]).deliberation == DRAFTED["deliberation"]
    assert correction["session"].current_minutes().state == Minutes.State.DRAFT


def test_the_session_page_says_what_the_signed_pdf_says(client, correction):
    page = visible_text(client.get(PAGE))
    signed_pdf = pdf.normalized(pdf.text(correction["published"].pdf.read()))

    for signed, drafted in zip(SIGNED.values(), DRAFTED.values(), strict=True):
        assert signed in page
        assert drafted not in page
    assert "18 دجنبر 2025" in page
    for signed in (SIGNED["place"], SIGNED["deliberation"], SIGNED["title"], SIGNED["note"]):
        assert pdf.normalized(signed) in signed_pdf


def test_the_session_keeps_its_signed_number_and_date_on_the_public_side(client, correction):
    archive = visible_text(client.get("/"))

    assert client.get(PAGE).status_code == 200
    assert client.get("/sessions/2026/2/").status_code == 404  # the drafted date is not public
    assert "18 دجنبر 2025" in archive
    assert DRAFTED["place"] not in archive


def test_the_register_and_the_resolutions_page_show_the_signed_resolution(client, correction):
    register = visible_text(client.get("/resolutions/"))
    detail = visible_text(client.get("/resolutions/2025/2/1/"))

    assert SIGNED["title"] in register and SIGNED["title"] in detail
    assert WORD not in register and WORD not in detail


def test_the_follow_up_shown_is_the_signed_one(client, correction):
    detail = visible_text(client.get("/resolutions/2025/1/1/"))
    filtered = client.get("/resolutions/", {"status": FollowUp.Status.DONE})

    assert SIGNED["note"] in detail
    assert DRAFTED["note"] not in detail
    assert "في طور الإنجاز" in detail  # in progress, as signed; the draft says done
    assert list(filtered.context["page"]) == []


def test_the_search_finds_the_signed_text_only(client, correction):
    drafted = client.get("/search/", {"q": WORD})
    signed = client.get("/search/", {"q": "مخطط العمل"})

    assert drafted.context["resolutions"] == drafted.context["items"] == []
    assert [r["resolution"].title for r in signed.context["resolutions"]] == [SIGNED["title"]]
    assert [i["item"].deliberation for i in signed.context["items"]] == [SIGNED["deliberation"]]


def test_the_exports_hold_the_signed_record(client, correction):
    exported = json.loads(client.get("/resolutions.json").getvalue())
    csv_text = client.get("/resolutions.csv").getvalue().decode("utf-8-sig")

    december = next(r for r in exported if r["number"] == "2025/2/1")
    assert december["title"] == SIGNED["title"]
    assert december["session_date"] == "2025-12-18"
    assert WORD not in json.dumps(exported, ensure_ascii=False)
    assert SIGNED["title"] in csv_text and WORD not in csv_text


def test_the_calendar_shows_an_upcoming_published_session_as_signed(client, correction):
    with time_machine.travel(datetime.datetime(2025, 12, 1, 12, 0), tick=False):
        calendar = client.get("/sessions.ics").content.decode()

    assert "LOCATION:" + SIGNED["place"][:20] in calendar.replace("\r\n ", "")
    assert DRAFTED["place"][:10] not in calendar
    assert "20251218" in calendar


def test_a_published_page_is_rendered_once_and_then_served_in_one_query(
    client, correction, django_assert_num_queries
):
    first = client.get(PAGE)

    with django_assert_num_queries(1):  # which version is published: the cache holds its page
        second = client.get(PAGE)

    assert second.content == first.content
    assert SIGNED["deliberation"] in visible_text(second)


def publish_the_correction(correction) -> None:
    minutes = correction["session"].current_minutes()
    secretary = correction["secretary"]
    lifecycle.submit_for_review(minutes, by=secretary)
    president, rapporteur = factory.approvers(correction["session"].board)
    factory.approve(minutes, by=president)
    factory.approve(minutes, by=rapporteur)
    lifecycle.sign(minutes, by=secretary)
    lifecycle.publish(minutes, by=secretary)


def june_status() -> str | None:
    """The June resolution's latest follow-up status, as the register keeps it."""
    return PublishedResolution.objects.get(session__year=2025, session__ordinal=1).latest_status


def test_once_the_correction_is_published_the_public_reads_it(client, correction):
    assert june_status() == FollowUp.Status.IN_PROGRESS  # as signed in December

    publish_the_correction(correction)

    assert june_status() == FollowUp.Status.DONE  # as the correction reports it
    assert client.get(PAGE).status_code == 404  # renumbered by its new date: 2026/2
    corrected = visible_text(client.get("/sessions/2026/2/"))
    assert DRAFTED["deliberation"] in corrected and SIGNED["deliberation"] not in corrected
    assert [r["resolution"].title for r in client.get("/search/", {"q": WORD}).context["resolutions"]] == [
        DRAFTED["title"]
    ]


# Past the models, the database refuses a forged public record (PostgreSQL)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The triggers that keep the public rows as published are PostgreSQL's (decisions' migration "
    "0009); SQLite, for development and the demo, relies on the models. They run in bash .ci/run.",
)


@postgresql_only
def test_the_database_refuses_to_edit_what_the_public_reads(correction):
    forgeries = [
        lambda: PublishedResolution.objects.update(title=DRAFTED["title"]),
        lambda: PublishedAgendaItem.objects.update(deliberation=DRAFTED["deliberation"]),
        lambda: PublishedFollowUp.objects.update(note=DRAFTED["note"]),
        lambda: PublishedSession.objects.update(place=DRAFTED["place"]),
    ]
    for forge in forgeries:
        with pytest.raises(IntegrityError, match="never edited"), transaction.atomic():
            forge()

    assert PublishedResolution.objects.get(session__year=2025, session__ordinal=2).title == SIGNED["title"]


def test_a_correction_that_drops_a_follow_up_drops_the_status_it_gave(client, correction):
    FollowUp.objects.filter(session=correction["session"]).delete()

    publish_the_correction(correction)

    assert june_status() is None
    assert "pas encore de suivi" in visible_text(client.get("/fr/resolutions/2025/1/1/"))


@postgresql_only
def test_the_database_keeps_a_published_status_true_to_the_published_follow_ups(correction):
    """The one column of the public rows a later publication changes: brought up to date by anyone, set to
    anything else by nobody."""
    june = PublishedResolution.objects.filter(session__year=2025, session__ordinal=1)
    for forged in [FollowUp.Status.DONE, None]:
        with pytest.raises(IntegrityError, match="never edited"), transaction.atomic():
            june.update(latest_status=forged)
    with pytest.raises(IntegrityError, match="never edited"), transaction.atomic():
        june.update(latest_status=FollowUp.Status.IN_PROGRESS, title=DRAFTED["title"])

    assert june.update(latest_status=FollowUp.Status.IN_PROGRESS) == 1  # what the follow-ups say
    assert june_status() == FollowUp.Status.IN_PROGRESS
