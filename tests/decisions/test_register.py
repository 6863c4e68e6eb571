"""The public register of resolutions at `/resolutions/` and each resolution's own page."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from decisions.models import FollowUp, PublishedResolution, Resolution
from meetings.models import Minutes
from tests import factory
from tests.members import read_form
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

# Queries of a register page drawn, whatever the number of rows: the last publication (which names the
# kept page), the years, the sessions of one year and the responsible units the filter offers, the count
# of the matching resolutions, one page of them with their sessions.
REGISTER_QUERIES = 6
# Queries of a register page kept, or confirmed to a reader who has it (304): the last publication.
KEPT_QUERIES = 1

SCRIPT = "<script>alert(1)</script>"
RLO = "\u202e"
PROGRAMS = "مديرية البرامج"
FINANCE = "مديرية الشؤون المالية"
State = Minutes.State
Status = FollowUp.Status
CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")


@pytest.fixture(scope="module")
def register(django_db_setup, django_db_blocker):
    """Three published sessions of the home board (December 2024, June and December 2025) with seven
    resolutions, the December 2025 one following up the June ones; and what must never show: sessions whose
    minutes are a draft, in review, approved, signed but not published, an agenda-only public session, and a
    published session of another board. Each test runs in its own transaction inside this one."""
    with django_db_blocker.unblock(), transaction.atomic():
        home = factory.board()
        dec24 = factory.session(home, datetime.date(2024, 12, 19), 2)
        factory.resolution(dec24, 1, title="حصر حسابات سنة 2024", responsible_unit=FINANCE)
        june = factory.session(home, datetime.date(2025, 6, 20), 1)
        late = factory.resolution(
            june,
            1,
            title="تأهيل مراكز التكوين",
            responsible_unit=PROGRAMS,
            due_date=datetime.date(2025, 10, 31),
        )
        rejected = factory.resolution(
            june,
            2,
            title="اقتناء سيارات المصلحة",
            outcome=Resolution.Outcome.REJECTED,
            unanimous=False,
            votes_for=1,
            votes_against=2,
            due_date=datetime.date(2025, 9, 30),
        )
        done = factory.resolution(
            june,
            3,
            title="تسوية وضعية المستخدمين",
            responsible_unit=FINANCE,
            due_date=datetime.date(2025, 11, 30),
        )
        silent = factory.resolution(june, 4, title="إحداث خلية للتواصل", due_date=datetime.date(2025, 12, 31))
        dec25 = factory.session(home, datetime.date(2025, 12, 18), 2)
        plan = factory.resolution(
            dec25,
            1,
            title="المصادقة على مخطط العمل برسم سنة 2026",
            text="يصادق المجلس على مخطط العمل بمحاوره الثلاثة.",
            responsible_unit=PROGRAMS,
            due_date=datetime.date(2026, 12, 31),
        )
        factory.resolution(
            dec25, 2, title="تأجيل البت في الميزانية", outcome=Resolution.Outcome.DEFERRED, unanimous=False
        )
        factory.follow_up(late, dec25, Status.IN_PROGRESS, note="انطلقت أشغال التأهيل في ثلاثة مراكز.")
        factory.follow_up(done, dec25, Status.DONE, note="تمت التسوية.")
        for session in (dec24, june, dec25):
            factory.publish(session)

        hidden = {}
        for ordinal, state in enumerate([State.DRAFT, State.IN_REVIEW, State.APPROVED, State.SIGNED], 1):
            session = factory.session(home, datetime.date(2026, 2 + ordinal, 10), ordinal)
            hidden[state] = factory.resolution(session, 1, title=f"قرار غير منشور {state}")
            if state == State.DRAFT:  # a newer status the public may not read yet
                factory.follow_up(late, session, Status.DONE, note="ملاحظة غير منشورة")
            factory.minutes_at(session, state)
        agenda_only = factory.session(home, datetime.date(2026, 9, 10), 5, is_public=True)
        hidden["agenda only"] = factory.resolution(agenda_only, 1, title="قرار غير منشور agenda")
        other = factory.session(factory.board(is_home=False), datetime.date(2024, 3, 5), 7)
        hidden["other board"] = factory.resolution(other, 1, title="قرار غير منشور other")
        factory.publish(other)
        yield {
            "home": home,
            "june": june,
            "dec25": dec25,
            "late": late,
            "rejected": rejected,
            "done": done,
            "silent": silent,
            "plan": plan,
            "hidden": hidden,
        }
        transaction.set_rollback(True)


def numbers(response) -> list[str]:
    """The resolutions' numbers, in the order of the register's rows."""
    return re.findall(
        r'<tr class="resolution-row">\s*<td[^>]*><a [^>]*><bdi dir="ltr">([\d/]+)</bdi>',
        response.content.decode(),
    )


def overdue_numbers(response) -> list[str]:
    rows = re.findall(r'<tr class="resolution-row">(.*?)</tr>', response.content.decode(), re.S)
    return [
        re.search(r"([\d]+/[\d]+/[\d]+)", row).group(1)
        for row in rows
        if 'class="badge text-bg-danger overdue"' in row
    ]


def detail_url(resolution: Resolution) -> str:
    s = resolution.session
    return f"/resolutions/{s.year}/{s.ordinal}/{resolution.sequence}/"


ALL = ["2025/2/1", "2025/2/2", "2025/1/1", "2025/1/2", "2025/1/3", "2025/1/4", "2024/2/1"]


# The register


def test_the_register_lists_published_resolutions_newest_session_first(client, register):
    response = client.get("/resolutions/")

    assert response.status_code == 200
    assert numbers(response) == ALL


def test_each_row_links_to_the_resolution_and_its_session(client, register):
    html = client.get("/resolutions/").content.decode()

    assert '<a href="/resolutions/2025/1/1/">' in html
    assert '<a href="/sessions/2025/1/">الدورة الأولى برسم سنة 2025</a>' in html


def test_unpublished_resolutions_and_other_boards_never_appear(client, register):
    text = visible_text(client.get("/resolutions/"))

    assert "غير منشور" not in text
    for resolution in register["hidden"].values():
        assert client.get(detail_url(resolution)).status_code == 404


def test_the_latest_status_ignores_follow_ups_of_unpublished_sessions(client, register):
    response = client.get("/resolutions/", {"status": "in_progress"})

    assert numbers(response) == ["2025/1/1"]
    assert "ملاحظة غير منشورة" not in visible_text(client.get(detail_url(register["late"])))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"year": "2024"}, ["2024/2/1"]),
        ({"session": "2025-1"}, ["2025/1/1", "2025/1/2", "2025/1/3", "2025/1/4"]),
        ({"outcome": "rejected"}, ["2025/1/2"]),
        ({"outcome": "deferred"}, ["2025/2/2"]),
        ({"status": "done"}, ["2025/1/3"]),
        ({"status": "none"}, ["2025/2/1", "2025/2/2", "2025/1/2", "2025/1/4", "2024/2/1"]),
        ({"unit": PROGRAMS}, ["2025/2/1", "2025/1/1"]),
        ({"year": "2025", "unit": FINANCE}, ["2025/1/3"]),
    ],
)
def test_each_filter_narrows_the_register(client, register, query, expected):
    assert numbers(client.get("/resolutions/", query)) == expected


def test_the_filter_offers_only_what_the_register_holds(client, register):
    form = client.get("/resolutions/").context["form"]

    assert [value for value, _ in form.fields["year"].choices] == ["", 2025, 2024]
    assert [value for value, _ in form.fields["unit"].choices] == ["", PROGRAMS, FINANCE]


@pytest.mark.parametrize(
    ("query", "offered"),
    [
        ({}, ["", "2025-2", "2025-1"]),  # the latest year's
        ({"year": "2024"}, ["", "2024-2"]),
        ({"session": "2024-2"}, ["", "2024-2"]),
    ],
)
def test_the_session_picker_offers_the_sessions_of_one_year(client, register, query, offered):
    """Not every session the register holds: a board's fifty years of sessions were two thirds of the page."""
    response = client.get("/resolutions/", query)
    form = response.context["form"]

    assert [value for value, _ in form.fields["session"].choices] == offered
    assert visible_text(response).count("الدورة") < 20


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "2026"},
        {"session": "2026-1"},
        {"session": "x-y"},
        {"outcome": "bogus"},
        {"status": "x"},
        {"unit": "nope"},
    ],
)
def test_a_bad_filter_value_gives_the_forms_message(client, register, query):
    response = client.get("/resolutions/", query)

    assert response.status_code == 200
    [(field, [message])] = response.context["form"].errors.items()
    assert field in query
    assert message in visible_text(response)


def test_pages_hold_25_resolutions_and_a_page_past_the_end_gives_the_last(client, register):
    big = factory.session(register["home"], datetime.date(2024, 6, 15), 1)
    for n in range(1, 31):
        factory.resolution(big, n)
    factory.publish(big)

    first = client.get("/resolutions/")
    last = client.get("/resolutions/", {"page": "2"})

    assert len(numbers(first)) == 25
    assert numbers(first)[:7] == ALL
    assert numbers(last) == [f"2024/1/{n}" for n in range(19, 31)]
    assert numbers(client.get("/resolutions/", {"page": "99"})) == numbers(last)
    assert numbers(client.get("/resolutions/", {"page": "abc"})) == numbers(first)


def test_page_links_keep_the_filter(client, register):
    big = factory.session(register["home"], datetime.date(2024, 6, 15), 1)
    for n in range(1, 31):
        factory.resolution(big, n, responsible_unit=PROGRAMS)
    factory.publish(big)

    html = client.get("/resolutions/", {"unit": PROGRAMS}).content.decode()

    assert (
        'href="?unit=%D9%85%D8%AF%D9%8A%D8%B1%D9%8A%D8%A9+%D8%A7%D9%84%D8%A8%D8%B1%D8%A7%D9%85%D8%AC&amp;page=2"'
        in html
    )


def register_queries(client, query=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/resolutions/", query or {})
    assert response.status_code == 200
    return len(queries)


def test_the_register_makes_a_fixed_number_of_queries_whatever_its_size(client, register):
    few = register_queries(client)
    few_filtered = register_queries(client, {"status": "none", "year": "2025"})
    big = factory.session(register["home"], datetime.date(2024, 6, 15), 1)
    for n in range(1, 61):
        factory.resolution(big, n, responsible_unit=f"وحدة {n}", due_date=datetime.date(2024, 1, 1))
    factory.publish(big)

    assert few == register_queries(client) == REGISTER_QUERIES
    assert len(numbers(client.get("/resolutions/"))) == 25
    assert few_filtered == register_queries(client, {"status": "none", "year": "2024"}) == REGISTER_QUERIES


def test_a_register_page_is_drawn_once_per_publication_and_confirmed_to_a_reader_who_has_it(client, register):
    first = client.get("/resolutions/", {"year": "2025"})
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/resolutions/", {"year": "2025"})
        confirmed = client.get("/resolutions/", {"year": "2025"}, headers={"if-none-match": first["ETag"]})

    assert len(queries) == 2 * KEPT_QUERIES
    assert again.content == first.content
    assert again["ETag"] == first["ETag"] and again["Last-Modified"] == first["Last-Modified"]
    assert again["Cache-Control"] == "public, max-age=300"
    assert confirmed.status_code == 304 and confirmed["ETag"] == first["ETag"]
    # Another filter is another page; the next publication, a new one everywhere.
    assert client.get("/resolutions/", {"year": "2024"})["ETag"] != first["ETag"]
    later = factory.session(register["home"], datetime.date(2025, 12, 28), 3)
    factory.resolution(later, 1, title="قرار لاحق")
    factory.publish(later)
    after = client.get("/resolutions/", {"year": "2025"}, headers={"if-none-match": first["ETag"]})
    assert after.status_code == 200
    assert "قرار لاحق" in visible_text(after)


# Overdue


def test_overdue_marks_adopted_resolutions_past_due_and_not_done(client, register):
    with time_machine.travel(datetime.datetime(2026, 1, 15, 10, tzinfo=CASABLANCA), tick=False):
        response = client.get("/resolutions/")

    # 2025/1/2 is rejected, 2025/1/3 done, 2025/2/1 due at the end of 2026.
    assert overdue_numbers(response) == ["2025/1/1", "2025/1/4"]


def test_a_resolution_is_not_overdue_on_its_due_date(client, register):
    with time_machine.travel(datetime.datetime(2025, 10, 31, 23, 30, tzinfo=CASABLANCA), tick=False):
        response = client.get("/resolutions/")

    assert overdue_numbers(response) == []


def test_the_resolutions_page_marks_it_overdue(client, register):
    with time_machine.travel(datetime.datetime(2025, 11, 1, 0, 30, tzinfo=CASABLANCA), tick=False):
        late = client.get(detail_url(register["late"]))
        done = client.get(detail_url(register["done"]))

    assert "متأخر" in visible_text(late)
    assert 'class="badge text-bg-danger overdue"' in late.content.decode()
    assert 'overdue"' not in done.content.decode()


def test_the_overdue_queryset_agrees_with_the_page(register):
    overdue = PublishedResolution.objects.public().overdue(datetime.date(2026, 1, 15))

    assert {r.number for r in overdue} == {"2025/1/1", "2025/1/4"}


# A resolution's page


def test_a_resolutions_page_shows_its_text_vote_and_facts(client, register):
    text = visible_text(client.get(detail_url(register["plan"])))

    assert "القرار 2025/2/1 — المصادقة على مخطط العمل برسم سنة 2026" in text
    assert "يصادق المجلس على مخطط العمل بمحاوره الثلاثة." in text
    assert "بالإجماع" in text
    assert PROGRAMS in text
    assert "31 دجنبر 2026" in text
    assert "لم يتم تتبعه بعد" in text


def test_a_resolutions_page_shows_the_vote_count(client, register):
    text = visible_text(client.get(detail_url(register["rejected"])))

    assert "مرفوض" in text
    assert "مؤيدون: 1، معارضون: 2، ممتنعون: 0" in text


def test_a_resolutions_page_shows_its_follow_ups_with_the_session_that_recorded_them(client, register):
    response = client.get(detail_url(register["late"]))
    html = response.content.decode()

    assert (
        "الدورة الثانية برسم سنة 2025 18 دجنبر 2025 في طور الإنجاز انطلقت أشغال التأهيل في ثلاثة مراكز."
        in visible_text(response)
    )
    assert '<a href="/sessions/2025/2/">الدورة الثانية برسم سنة 2025</a>' in html
    assert html.count('<tr class="follow-up">') == 1


def test_an_unknown_number_is_a_404(client, register):
    assert client.get("/resolutions/2025/1/9/").status_code == 404
    assert client.get("/resolutions/1999/1/1/").status_code == 404


# Languages and hostile text


def test_the_register_in_french(client, register):
    response = client.get("/fr/resolutions/", {"year": "2024"})
    html = response.content.decode()

    assert '<html lang="fr" dir="ltr">' in html
    assert "Registre des résolutions" in visible_text(response)
    assert '<a href="/fr/sessions/2024/2/">Deuxième session de l’année 2024</a>' in html
    assert '<a href="/fr/resolutions/2024/2/1/">' in html
    assert 'href="/fr/resolutions.csv?year=2024"' in html


def test_a_resolutions_page_in_french(client, register):
    text = visible_text(client.get("/fr" + detail_url(register["late"])))

    assert "en cours" in text
    assert "31 octobre 2025" in text


def test_markup_in_a_resolution_is_shown_as_text_and_its_bidi_overrides_dropped(client, register):
    session = factory.session(register["home"], datetime.date(2024, 6, 15), 1)
    factory.resolution(session, 1, title=SCRIPT, text=SCRIPT, responsible_unit=SCRIPT)
    factory.resolution(session, 2, title=f"{RLO}title", responsible_unit=f"{RLO}unit")
    factory.publish(session)

    for path in ["/resolutions/", "/resolutions/2024/1/1/", "/resolutions/2024/1/2/"]:
        response = client.get(path)
        assert "<script" not in response.content.decode(), path
        assert RLO not in response.content.decode(), path
    assert SCRIPT in visible_text(client.get("/resolutions/2024/1/1/"))


def test_the_french_filters_agree_with_their_nouns(client, register):
    form = read_form(client.get("/fr/resolutions/"), method="get")

    options = form.options
    assert options["year"][0] == ("", "toutes")  # l'année
    assert options["unit"][0] == ("", "toutes")  # l'unité
    assert options["outcome"][0] == ("", "tous")  # le résultat
    assert options["status"][0] == ("", "tous")  # le suivi
