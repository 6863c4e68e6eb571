"""The public pages: the archive of sessions at `/` and one session's page, in Arabic and in French.

The page of a session whose minutes are published, for the reference case, is in
test_public_session_page.py; the pages of the demo data in test_public_demo.py.
"""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Minutes
from tests import factory
from tests.meetings.publication import full_session
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

# Queries of a published session's page, whatever its size: the published session with its latest
# published minutes' hash (all a page kept in the cache, or a 304, needs), then, to draw it, that version
# whose record as signed gives everything the page shows.
SESSION_PAGE_QUERIES = 2

SCRIPT = "<script>alert(1)</script>"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: reverses the text after it until the end of its isolate
LRI, PDI, PDF = "\u2066", "\u2069", "\u202c"  # LEFT-TO-RIGHT ISOLATE, its end, the end of an override


def session_of_size(board, size: int, follows_up=None, **fields):
    """A session with `size` members present, agenda items and resolutions, its minutes published;
    it records the follow-up of every resolution of the session `follows_up`, if given."""
    session = factory.session(board, **fields)
    for n in range(1, size + 1):
        person = factory.seat(board)
        factory.attend(session, person)
        item = factory.agenda_item(session, n)
        factory.resolution(session, n, agenda_item=item)
    for earlier in follows_up.resolutions.all() if follows_up else []:
        factory.follow_up(earlier, session)
    factory.publish(session)
    return session


def session_page_queries(client, session) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(session.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


# The archive


def test_the_archive_lists_public_sessions_grouped_by_year_newest_first(client):
    board = factory.board()
    factory.session(board, datetime.date(2024, 12, 19), 2)
    factory.session(board, datetime.date(2025, 6, 20), 1)
    factory.session(board, datetime.date(2025, 12, 18), 2)

    response = client.get("/")

    assert response.status_code == 200
    years = re.findall(
        r"<h2[^>]*year-heading[^>]*>(\d+)</h2>(.*?)</section>", response.content.decode(), re.S
    )
    assert [year for year, _ in years] == ["2025", "2024"]
    assert re.findall(r"الدورة \w+ برسم سنة \d+", years[0][1]) == [
        "الدورة الثانية برسم سنة 2025",
        "الدورة الأولى برسم سنة 2025",
    ]
    assert re.findall(r"الدورة \w+ برسم سنة \d+", years[1][1]) == ["الدورة الثانية برسم سنة 2024"]


def test_the_archive_shows_each_sessions_moroccan_date_and_place(client):
    factory.session(factory.board(), datetime.date(2025, 12, 18), 2, place="مقر الوزارة، الرباط")

    text = visible_text(client.get("/"))

    assert "الدورة الثانية برسم سنة 2025 — 18 دجنبر 2025 · مقر الوزارة، الرباط" in text


def test_the_archive_leaves_out_private_sessions_and_other_boards(client):
    home = factory.board()
    other = factory.board(is_home=False)
    factory.session(home, datetime.date(2025, 6, 20), 1)
    factory.session(home, datetime.date(2025, 12, 18), 2, is_public=False)
    factory.session(other, datetime.date(2024, 6, 20), 1)

    text = visible_text(client.get("/"))

    assert "الدورة الأولى برسم سنة 2025" in text
    assert "الدورة الثانية برسم سنة 2025" not in text
    assert "2024" not in text


def test_the_archive_says_when_nothing_is_published(client):
    factory.session(factory.board(), is_public=False)

    assert "لم تُنشر أي دورة بعد." in visible_text(client.get("/"))


def test_the_archive_lists_a_session_whose_minutes_are_published_though_its_agenda_was_never_public(client):
    session = factory.session(factory.board(), is_public=False)
    factory.publish(session)

    text = visible_text(client.get("/"))

    assert "الدورة الثانية برسم سنة 2025" in text


# One session's page


def test_the_session_page_shows_its_name_moroccan_date_place_and_chair(client):
    session = full_session(factory.board())

    text = visible_text(client.get(session.get_absolute_url()))

    assert "الدورة الثانية برسم سنة 2025" in text
    assert "التاريخ 18 دجنبر 2025" in text
    assert "المكان مقر الوزارة، الرباط" in text
    assert "ترأسها نعيمة بن يحيى، وزيرة التضامن" in text


# Before the minutes are published


def test_before_publication_a_public_session_shows_its_agenda_and_says_the_minutes_are_not_published(client):
    session = full_session(factory.board())

    response = client.get(session.get_absolute_url())

    text = visible_text(response)
    assert response.status_code == 200
    assert "لم يُنشر محضر هذه الدورة بعد، وفيما يلي جدول أعمالها." in text
    assert "1. مشروع مخطط عمل المؤسسة برسم سنة 2026" in text
    assert "2. مشروع الميزانية" in text


@pytest.mark.parametrize(
    "unpublished",
    [
        "ناقش المجلس المحاور الثلاثة.",  # a deliberation
        "ممثل وزارة الصحة",  # the attendance
        "ينوب عنه",
        "النصاب القانوني",
        "القرار 2025/2/1",
        "المصادقة على مخطط العمل",
        "تحميل المحضر",
    ],
)
def test_before_publication_the_session_page_shows_nothing_of_the_minutes(client, unpublished):
    session = full_session(factory.board())

    response = client.get(session.get_absolute_url())

    assert unpublished not in visible_text(response)
    assert "minutes.pdf" not in response.content.decode()


def test_before_publication_the_french_page_says_the_minutes_are_not_published(client):
    session = full_session(factory.board())

    text = visible_text(client.get(f"/fr{session.get_absolute_url()}"))

    assert "Le procès-verbal de cette session n’est pas encore publié : voici son ordre du jour." in text
    assert "1. مشروع مخطط عمل المؤسسة برسم سنة 2026" in text
    assert "Résolution" not in text


def test_publishing_the_minutes_shows_the_session_in_full_though_its_agenda_was_never_public(client):
    session = full_session(factory.board(), is_public=False)
    factory.publish(session)

    response = client.get(session.get_absolute_url())

    text = visible_text(response)
    assert response.status_code == 200
    assert "لم يُنشر محضر هذه الدورة بعد" not in text
    assert "ناقش المجلس المحاور الثلاثة." in text
    assert "القرار 2025/2/1 — المصادقة على مخطط العمل" in text


def test_signed_minutes_stay_off_the_public_page_until_they_are_published(client):
    session = full_session(factory.board())
    factory.minutes_at(session, Minutes.State.SIGNED)

    text = visible_text(client.get(session.get_absolute_url()))

    assert "لم يُنشر محضر هذه الدورة بعد، وفيما يلي جدول أعمالها." in text
    assert "ناقش المجلس المحاور الثلاثة." not in text


# Language, direction and assets


@pytest.mark.parametrize("path", ["/", "/sessions/2025/2/"])
def test_arabic_pages_are_right_to_left(client, path):
    factory.session(factory.board())

    response = client.get(path)

    assert '<html lang="ar" dir="rtl">' in response.content.decode()


@pytest.mark.parametrize("path", ["/fr/", "/fr/sessions/2025/2/"])
def test_french_pages_are_left_to_right_with_french_strings(client, path):
    factory.session(factory.board())

    response = client.get(path)

    assert '<html lang="fr" dir="ltr">' in response.content.decode()
    assert "Conseil d’administration" in visible_text(response)


def stylesheets(response) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', response.content.decode())


@pytest.mark.parametrize(
    ("path", "bootstrap"),
    [("/", "bootstrap.rtl.min.css"), ("/fr/", "bootstrap.min.css")],
)
def test_the_page_loads_the_bootstrap_of_its_direction(client, path, bootstrap):
    response = client.get(path)

    assert [href.rsplit("/", 1)[1] for href in stylesheets(response) if "/bootstrap/" in href] == [bootstrap]


@pytest.mark.parametrize("path", ["/", "/fr/"])
def test_the_page_assets_are_served_by_the_site_itself(client, settings, path):
    settings.WHITENOISE_USE_FINDERS = True  # what collectstatic gives WhiteNoise in production
    factory.session(factory.board())

    response = client.get(path)

    page = response.content.decode()
    assert not re.search(r'(src|href)="(https?:)?//', page), "an asset or link points at another host"
    for href in stylesheets(response):
        assert href.startswith("/static/")
        assert finders.find(href.removeprefix("/static/")) is not None
        assert client.get(href).status_code == 200


# What is not public


def test_a_private_session_is_a_404_exactly_like_a_missing_one(client):
    factory.session(factory.board(), ordinal=2, is_public=False)

    private = client.get("/sessions/2025/2/")
    missing = client.get("/sessions/2025/3/")

    assert private.status_code == missing.status_code == 404
    assert private.content == missing.content


def test_a_public_session_of_another_board_is_a_404(client):
    factory.board()
    factory.session(factory.board(is_home=False), ordinal=2)

    other = client.get("/sessions/2025/2/")
    missing = client.get("/sessions/2025/3/")

    assert other.status_code == 404
    assert other.content == missing.content


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/2025/999999999999/",
        "/sessions/99999999999999999999/1/",
        "/sessions/2025/0/",
        "/sessions/abc/1/",
        "/sessions/2025/-1/",
        "/fr/sessions/2025/999999999999/",
    ],
)
def test_a_malformed_session_address_is_a_404(client, path):
    factory.session(factory.board())

    assert client.get(path).status_code == 404


# Text typed by the secretariat


def test_markup_typed_into_the_session_is_shown_as_text(client):
    board = factory.board()
    person = factory.seat(board, name_ar=SCRIPT)
    session = factory.session(board, place=SCRIPT, opening=SCRIPT, chair=person)
    factory.attend(session, person)
    item = factory.agenda_item(session, title=SCRIPT, presenter=SCRIPT, summary=SCRIPT, deliberation=SCRIPT)
    factory.resolution(session, agenda_item=item, title=SCRIPT, text=SCRIPT, responsible_unit=SCRIPT)
    factory.publish(session)

    response = client.get(session.get_absolute_url())

    assert "<script" not in response.content.decode()
    assert visible_text(response).count(SCRIPT) == 12


def test_markup_typed_into_the_place_is_shown_as_text_in_the_archive(client):
    factory.session(factory.board(), place=SCRIPT)

    response = client.get("/")

    assert "<script" not in response.content.decode()
    assert SCRIPT in visible_text(response)


def test_bidi_controls_typed_into_a_field_are_not_kept():
    board = factory.board()
    person = factory.seat(board, name_ar=f"{RLO}الاسم{LRI}", title_ar=f"{RLO}title")
    session = factory.session(board, place=f"مقر{RLO} المؤسسة{PDF}", chair=person)
    item = factory.agenda_item(session, title=f"{RLO}item", presenter=f"{RLO}presenter")
    resolution = factory.resolution(session, agenda_item=item, title=f"{LRI}resolution{PDI}")

    for obj in (person, session, item, resolution):
        obj.refresh_from_db()
    assert (person.name_ar, person.title_ar) == ("الاسم", "title")
    assert session.place == "مقر المؤسسة"
    assert (item.title, item.presenter, resolution.title) == ("item", "presenter", "resolution")


def test_bidi_controls_written_around_the_models_are_not_laid_out(client):
    # A row changed by an UPDATE (the shell's queryset.update(), or SQL) skips the models' saves: the
    # controls then reach the record, and the pages still lay the text out without them.
    board = factory.board()
    session = factory.session(board)
    item = factory.agenda_item(session, title="item")
    resolution = factory.resolution(session, agenda_item=item, title="resolution")
    type(item).objects.filter(pk=item.pk).update(title=f"{RLO}item 2026", deliberation=f"{LRI}نص")
    type(resolution).objects.filter(pk=resolution.pk).update(title=f"{RLO}resolution", responsible_unit=RLO)
    factory.publish(session)

    for path in [session.get_absolute_url(), "/", "/resolutions/", resolution.get_absolute_url()]:
        response = client.get(path)
        assert response.status_code == 200, path
        # (A unit's filter keeps the value stored, in an attribute, which is never laid out.)
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", visible_text(response)), path
    assert "item 2026" in visible_text(client.get(session.get_absolute_url()))


# Speed


def test_the_session_page_makes_the_same_few_queries_whatever_its_size(client):
    board = factory.board()
    small = session_of_size(board, 3, date=datetime.date(2025, 6, 20), ordinal=1)
    large = session_of_size(board, 40, follows_up=small, date=datetime.date(2025, 12, 18), ordinal=2)
    assert large.follow_ups.count() == 3

    small_count = session_page_queries(client, small)
    large_count = session_page_queries(client, large)

    assert small_count == large_count == SESSION_PAGE_QUERIES


def test_the_session_page_shows_the_follow_up_of_earlier_resolutions(client):
    board = factory.board()
    june = session_of_size(board, 1, date=datetime.date(2025, 6, 20), ordinal=1)
    december = factory.session(board, date=datetime.date(2025, 12, 18), ordinal=2)
    factory.follow_up(june.resolutions.get(), december, note="انطلقت الأشغال <b>فعلا</b>")
    factory.publish(december)

    response = client.get(december.get_absolute_url())
    text = visible_text(response)

    assert "2025/1/1" in text
    assert "في طور الإنجاز" in text
    assert "انطلقت الأشغال <b>فعلا</b>" in text  # shown as typed, not as markup
