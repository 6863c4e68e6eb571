"""Open data: the register as CSV and JSON from its current filter, and the iCalendar feed of sessions."""

import csv
import datetime
import io
import json
import zoneinfo

import icalendar
import jsonschema
import pytest
import time_machine
from django.db import transaction

from decisions.models import FollowUp, Resolution
from meetings.models import Minutes
from tests import factory

pytestmark = pytest.mark.django_db

CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")
BOM = b"\xef\xbb\xbf"
# Arabic text with what a CSV file must quote: commas (Latin and Arabic), double quotes, a line break.
TRICKY_TITLE = 'المصادقة على "مخطط العمل", والميزانية، برسم سنة 2026'
TRICKY_TEXT = 'يصادق المجلس على:\n- "المحور الأول", التمكين الاقتصادي؛\n- المحور الثاني، "الحماية".'
UNIT = "مديرية البرامج, والشراكة"
TITLE_FR = "Approbation du « plan d'action », et du budget, au titre de 2026"
TEXT_FR = 'Le conseil approuve :\n- le "premier axe", l\'autonomisation économique ;\n- le deuxième axe, la protection.'
UNIT_FR = "Direction des programmes, et du partenariat"
SITE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker):
    """The June and December 2025 sessions of the home board, published, the December one following up a
    June resolution; a session whose minutes are signed but unpublished, and a published session of
    another board, whose resolutions must never be exported."""
    with django_db_blocker.unblock(), transaction.atomic():
        home = factory.board()
        june = factory.session(home, datetime.date(2025, 6, 20), 1)
        training = factory.resolution(
            june, 1, title="تأهيل مراكز التكوين", due_date=datetime.date(2025, 10, 31)
        )
        dec = factory.session(home, datetime.date(2025, 12, 18), 2)
        factory.resolution(
            dec,
            1,
            title=TRICKY_TITLE,
            text=TRICKY_TEXT,
            responsible_unit=UNIT,
            title_fr=TITLE_FR,
            text_fr=TEXT_FR,
            responsible_unit_fr=UNIT_FR,
            due_date=datetime.date(2026, 12, 31),
        )
        factory.resolution(
            dec,
            2,
            title="تأجيل البت في الميزانية",
            unanimous=False,
            votes_for=1,
            votes_against=1,
            votes_abstain=1,
            outcome=Resolution.Outcome.DEFERRED,
        )
        factory.follow_up(training, dec, FollowUp.Status.IN_PROGRESS)
        factory.publish(june)
        factory.publish(dec)
        signed = factory.session(home, datetime.date(2026, 3, 10), 1)
        factory.resolution(signed, 1, title="قرار غير منشور")
        factory.minutes_at(signed, Minutes.State.SIGNED)
        other = factory.session(factory.board(is_home=False), datetime.date(2025, 3, 5), 1)
        factory.resolution(other, 1, title="قرار مجلس آخر")
        factory.publish(other)
        yield {"home": home, "june": june, "dec": dec}
        transaction.set_rollback(True)


def read_csv(response) -> list[list[str]]:
    """As Excel does: the BOM says UTF-8, then comma-separated fields, quoted where needed. The file is
    streamed: read once."""
    content = response.getvalue()
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content[len(BOM) :].decode("utf-8"), newline="")))


# CSV


def number(row: list[str]) -> str:
    """The resolution's number, from the three figures the CSV gives it in."""
    return "/".join(row[:3])


def test_the_csv_starts_with_the_bom_and_is_an_attachment(client, published):
    response = client.get("/resolutions.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="entraide-resolutions.csv"'
    assert response.streaming  # sent as it is read, its memory not growing with the register
    assert response.getvalue().startswith(BOM)


def test_the_csv_reads_back_with_arabic_commas_quotes_and_line_breaks_intact(client, published):
    header, *rows = read_csv(client.get("/resolutions.csv"))

    assert header == [
        "السنة",
        "رقم الدورة",
        "رقم القرار",
        "الموضوع",
        "الموضوع بالفرنسية",
        "النص",
        "النص بالفرنسية",
        "الدورة",
        "تاريخ الدورة",
        "النتيجة",
        "التصويت",
        "الجهة المكلفة",
        "الجهة المكلفة بالفرنسية",
        "أجل التنفيذ",
        "آخر تتبع",
        "لم يشارك في التصويت لتصريحه بتضارب في المصالح",
    ]
    assert rows[0] == [
        "2025",
        "2",
        "1",
        TRICKY_TITLE,
        TITLE_FR,
        TRICKY_TEXT,
        TEXT_FR,
        "الدورة الثانية برسم سنة 2025",
        "2025-12-18",
        "مصادق عليه",
        "بالإجماع",
        UNIT,
        UNIT_FR,
        "2026-12-31",
        "لم يتم تتبعه بعد",
        "",
    ]
    assert number(rows[1]) == "2025/2/2"
    assert rows[1][9:11] == ["مؤجل", "مؤيدون: 1، معارضون: 1، ممتنعون: 1"]
    assert number(rows[2]) == "2025/1/1"
    assert rows[2][-2:] == ["في طور الإنجاز", ""]


def test_the_csv_holds_only_published_resolutions_of_the_home_board(client, published):
    _, *rows = read_csv(client.get("/resolutions.csv"))

    assert [number(row) for row in rows] == ["2025/2/1", "2025/2/2", "2025/1/1"]


def test_the_csv_follows_the_registers_filter(client, published):
    _, *rows = read_csv(client.get("/resolutions.csv", {"outcome": "deferred"}))

    assert [number(row) for row in rows] == ["2025/2/2"]


def test_the_csv_in_french(client, published):
    header, *rows = read_csv(client.get("/fr/resolutions.csv", {"session": "2025-1"}))

    assert header[:7] == [
        "Année",
        "Numéro de la session",
        "Numéro de la résolution",
        "Objet",
        "Objet en français",
        "Texte",
        "Texte en français",
    ]
    assert rows == [
        [
            "2025",
            "1",
            "1",
            "تأهيل مراكز التكوين",
            "",
            "يقرر المجلس ما يلي.",
            "",
            "Première session de l’année 2025",
            "2025-06-20",
            "adoptée",
            "à l’unanimité",
            "",
            "",
            "2025-10-31",
            "en cours",
            "",
        ]
    ]


FORMULA_TITLE = '=HYPERLINK("http://example.com/x","انقر هنا")'
FORMULA_TEXT = "+212 537 00 00 00 هو رقم الهاتف"
FORMULA_UNIT = "@مديرية الموارد"


@pytest.mark.django_db
def test_typed_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(client, published):
    session = factory.session(published["home"], datetime.date(2025, 9, 25), 3)
    factory.resolution(session, 1, title=FORMULA_TITLE, text=FORMULA_TEXT, responsible_unit=FORMULA_UNIT)
    factory.resolution(session, 2, title="-تأجيل", text="نص عاد")
    factory.publish(session)

    rows = read_csv(client.get("/resolutions.csv", {"session": "2025-3"}))[1:]
    exported = json.loads(client.get("/resolutions.json", {"session": "2025-3"}).getvalue())

    assert [[row[3], row[5], row[11]] for row in rows] == [
        ["'" + FORMULA_TITLE, "'" + FORMULA_TEXT, "'" + FORMULA_UNIT],
        ["'-تأجيل", "نص عاد", ""],
    ]
    assert [(r["title"], r["text"], r["responsible_unit"]) for r in exported] == [
        (FORMULA_TITLE, FORMULA_TEXT, FORMULA_UNIT),
        ("-تأجيل", "نص عاد", ""),
    ]


def test_a_bad_filter_gives_a_400_with_the_forms_message(client, published):
    response = client.get("/resolutions.csv", {"year": "abc"})

    assert response.status_code == 400
    assert response.getvalue().decode().startswith("السنة: ")


# JSON


def test_the_json_is_a_documented_list_of_resolutions(client, published):
    response = client.get("/resolutions.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="entraide-resolutions.json"'
    assert response.streaming
    content = response.getvalue()  # streamed: read once
    assert TRICKY_TITLE.encode() in content.replace(b'\\"', b'"')  # not \u-escaped
    data = json.loads(content)
    assert [item["number"] for item in data] == ["2025/2/1", "2025/2/2", "2025/1/1"]
    assert data[0] == {
        "number": "2025/2/1",
        "title": TRICKY_TITLE,
        "title_fr": TITLE_FR,
        "text": TRICKY_TEXT,
        "text_fr": TEXT_FR,
        "session": "الدورة الثانية برسم سنة 2025",
        "session_date": "2025-12-18",
        "outcome": "adopted",
        "votes": {"unanimous": True, "for": None, "against": None, "abstain": None},
        "responsible_unit": UNIT,
        "responsible_unit_fr": UNIT_FR,
        "due_date": "2026-12-31",
        "follow_up_status": None,
        "stood_aside": [],
        "session_url": f"{SITE}/sessions/2025/2/",
        "url": f"{SITE}/resolutions/2025/2/1/",
    }
    assert data[1]["votes"] == {"unanimous": False, "for": 1, "against": 1, "abstain": 1}
    assert data[1]["outcome"] == "deferred"
    assert data[2]["follow_up_status"] == "in_progress"


def schema(client) -> dict:
    response = client.get("/resolutions.schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    return json.loads(b"".join(response.streaming_content))


@pytest.mark.parametrize("language", ["", "/fr"])
def test_the_json_validates_against_its_published_schema(client, published, language):
    response = client.get(f"{language}/resolutions.json")

    assert response["Link"] == f'<{SITE}{language}/resolutions.schema.json>; rel="describedby"'
    checker = jsonschema.Draft202012Validator(
        schema(client), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    data = json.loads(response.getvalue())
    assert len(data) == 3
    assert list(checker.iter_errors(data)) == []


def test_the_schema_would_catch_a_changed_export(client, published):
    """The schema is strict enough to notice: a missing field, an unknown code, a date in another format."""
    checker = jsonschema.Draft202012Validator(
        schema(client), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    good = json.loads(client.get("/resolutions.json").getvalue())[0]

    for broken in (
        {key: value for key, value in good.items() if key != "follow_up_status"},
        {**good, "outcome": "مصادق عليه"},
        {**good, "session_date": "18/12/2025"},
        {**good, "number": "2025-2-1"},
        {**good, "extra": 1},
        {**good, "url": "/resolutions/2025/2/1/"},
    ):
        assert list(checker.iter_errors([broken])), broken


def test_the_json_follows_the_filter_and_keeps_its_codes_in_french(client, published):
    data = json.loads(client.get("/fr/resolutions.json", {"status": "in_progress"}).getvalue())

    assert [(item["number"], item["outcome"], item["follow_up_status"]) for item in data] == [
        ("2025/1/1", "adopted", "in_progress")
    ]
    assert data[0]["url"] == f"{SITE}/fr/resolutions/2025/1/1/"


def test_the_register_links_to_the_exports_with_its_filter(client, published):
    html = client.get("/resolutions/", {"year": "2025", "outcome": "adopted", "page": "1"}).content.decode()

    assert 'href="/resolutions.csv?year=2025&amp;outcome=adopted"' in html
    assert 'href="/resolutions.json?year=2025&amp;outcome=adopted"' in html


# The calendar


@pytest.fixture
def upcoming(published):
    """Seen from 1 June 2026, besides the module's sessions (past): an upcoming public session with its
    hours and agenda, an upcoming one with its date only, a past one, an upcoming unpublished private one,
    and another board's."""
    home = published["home"]
    june = factory.session(
        home,
        datetime.date(2026, 6, 18),
        2,
        start_time=datetime.time(10, 0),
        end_time=datetime.time(13, 30),
        place="مقر الوزارة، الرباط",
    )
    factory.agenda_item(june, 1, title="تتبع تنفيذ القرارات")
    factory.agenda_item(june, 2, title="مشروع الحساب الإداري برسم سنة 2025")
    factory.session(home, datetime.date(2026, 12, 17), 3, place="")
    factory.session(home, datetime.date(2026, 3, 12), 4)  # past
    factory.session(home, datetime.date(2026, 9, 10), 5, is_public=False)
    factory.session(factory.board(is_home=False), datetime.date(2026, 7, 1), 1)
    return june


def feed(client, path="/sessions.ics") -> icalendar.Calendar:
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=CASABLANCA), tick=False):
        response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def test_the_feed_lists_the_upcoming_public_sessions_of_the_home_board(client, upcoming):
    events = feed(client).walk("VEVENT")

    assert [str(event["SUMMARY"]) for event in events] == [
        "الدورة الثانية برسم سنة 2026",
        "الدورة الثالثة برسم سنة 2026",
    ]


def test_an_event_has_the_sessions_times_in_casablanca_place_and_agenda(client, upcoming):
    calendar = feed(client)
    event = calendar.walk("VEVENT")[0]

    assert event.decoded("DTSTART") == datetime.datetime(2026, 6, 18, 10, 0, tzinfo=CASABLANCA)
    assert event.decoded("DTEND") == datetime.datetime(2026, 6, 18, 13, 30, tzinfo=CASABLANCA)
    assert event["DTSTART"].params["TZID"] == "Africa/Casablanca"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Africa/Casablanca"]
    assert str(event["LOCATION"]) == "مقر الوزارة، الرباط"
    assert str(event["DESCRIPTION"]) == "1. تتبع تنفيذ القرارات\n2. مشروع الحساب الإداري برسم سنة 2025"
    assert str(event["URL"]) == f"{SITE}/sessions/2026/2/"
    assert str(event["UID"]) == f"session-{upcoming.pk}@127.0.0.1"
    assert event.decoded("DTSTAMP") == datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)


def test_a_session_without_hours_is_an_all_day_event(client, upcoming):
    event = feed(client).walk("VEVENT")[1]

    assert event.decoded("DTSTART") == datetime.date(2026, 12, 17)
    assert event.decoded("DTEND") == datetime.date(2026, 12, 18)
    assert "LOCATION" not in event


def test_an_upcoming_session_with_published_minutes_is_in_the_feed(client, upcoming):
    hidden = factory.session(upcoming.board, datetime.date(2026, 10, 1), 6, is_public=False)
    factory.publish(hidden)

    summaries = [str(event["SUMMARY"]) for event in feed(client).walk("VEVENT")]

    assert "الدورة السادسة برسم سنة 2026" in summaries
    assert "الدورة الخامسة برسم سنة 2026" not in summaries


def test_the_feed_in_french(client, upcoming):
    events = feed(client, "/fr/sessions.ics").walk("VEVENT")

    assert str(events[0]["SUMMARY"]) == "Deuxième session de l’année 2026"
    assert str(events[0]["URL"]) == f"{SITE}/fr/sessions/2026/2/"


def test_the_session_list_links_to_the_feed(client, upcoming):
    html = client.get("/").content.decode()

    assert 'href="/sessions.ics" type="text/calendar">الاشتراك في رزنامة الدورات</a>' in html


def test_an_export_that_selects_nothing_is_still_well_formed(client, published):
    query = {"q": "كلمةلاتوجدفيأيقرار"}

    assert json.loads(client.get("/resolutions.json", query).getvalue()) == []
    assert len(read_csv(client.get("/resolutions.csv", query))) == 1  # the header alone
