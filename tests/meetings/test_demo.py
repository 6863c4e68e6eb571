"""The demo data (`load_demo`), which tells the reference case of 18 دجنبر 2025: loading it twice, its
public pages, and its minutes read back with poppler's tools (text, fonts, pages, attachment, PDF/A
metadata), as test_minutes_pdf.py reads other sessions'.

The demo is loaded once for the module (each load publishes its two sessions through the real lifecycle);
each test reads it in a transaction of its own, which undoes what it changed.
"""

import datetime
import io
import json

import jsonschema
import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from decisions.models import Resolution
from meetings.minutes.pdf import render_minutes_pdf
from meetings.models import Attendance, Message, Session
from tests import pdf
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

N = pdf.normalized


def load_demo() -> None:
    call_command("load_demo", stdout=io.StringIO())


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models(include_auto_created=True)}


@pytest.fixture(scope="module")
def _demo(module_db) -> None:
    load_demo()


@pytest.fixture
def loaded(_demo, module_files) -> None:
    """The demo, loaded once, and the files its signed minutes are stored in."""


def test_loading_the_demo_twice_leaves_the_same_rows(loaded):
    first = row_counts()  # after the module's load

    load_demo()

    assert row_counts() == first
    assert (first["meetings.Session"], first["decisions.Resolution"], first["decisions.FollowUp"]) == (
        3,
        5,
        4,
    )


def test_the_demo_convenes_the_next_session_with_its_pack_and_names_whom_it_cannot_reach(loaded):
    upcoming = Session.objects.get(date__gt=datetime.date(2025, 12, 31))
    assert upcoming.date == timezone.localdate() + datetime.timedelta(days=21)
    (convocation,) = upcoming.convocations.all()
    messages = {m.member.name_ar: m for m in convocation.messages.select_related("member")}
    assert len(messages) == 9  # every seat on the date, the state financial controller included
    assert messages["المراقب المالي للدولة"].language == "fr"
    assert messages["المراقب المالي للدولة"].subject.startswith("Convocation\u202f: ")
    assert messages["نعيمة بن يحيى"].subject.startswith("استدعاء: ")
    assert messages["ممثل وزارة الصحة والحماية الاجتماعية"].status == Message.Status.UNREACHABLE
    assert [d.title for d in messages["نعيمة بن يحيى"].documents.all()] == [
        "مذكرة تقديمية حول حصيلة تنفيذ مخطط العمل"
    ]
    assert "METHOD:REQUEST" in messages["نعيمة بن يحيى"].calendar
    answers = {a.member.name_ar: (a.choice, a.proxy and a.proxy.name_ar) for a in upcoming.answers.all()}
    assert answers == {
        "نعيمة بن يحيى": ("attend", None),
        "ممثل وزارة الداخلية": ("excused", None),
        "ممثل وزارة الإدماج الاقتصادي والمقاولة الصغرى والتشغيل والكفاءات": ("proxy", "عبد الجبار الرشيدي"),
    }


def test_the_demo_december_session_page_tells_the_reference_case(client, loaded):
    text = visible_text(client.get("/sessions/2025/2/"))

    assert "الدورة الثانية برسم سنة 2025" in text
    assert "18 دجنبر 2025" in text
    assert "تمت تلاوة سورة الفاتحة ترحما على أرواح ضحايا فيضانات مدينة آسفي" in text
    assert "مشروع مخطط عمل المؤسسة برسم سنة 2026" in text
    assert "القرار 2025/2/1 — المصادقة على مخطط عمل وميزانية مؤسسة التعاون الوطني برسم سنة 2026" in text
    assert "مصادق عليه بالإجماع" in text


def test_the_demo_december_session_page_in_french(client, loaded):
    text = visible_text(client.get("/fr/sessions/2025/2/"))

    assert "Deuxième session de l’année 2025" in text
    assert "18 décembre 2025" in text
    assert "Présidée par Naïma Ben Yahia" in text
    assert "la sourate Al-Fatiha a été récitée à la mémoire des victimes des inondations" in text
    assert "Khattar Moujahidi, directeur de l’Entraide Nationale" in text  # presenters in French
    assert "Il s’articule autour de trois axes stratégiques" in text
    assert "Ce texte n’existe qu’en arabe." in text  # the deliberations exist only in Arabic
    assert "نوه بنجاعة التدخلات الميدانية للتعاون" in text
    assert "Projet de plan d’action de l’établissement pour 2026" in text
    assert (
        "Résolution 2025/2/1 — Approbation du plan d’action et du budget de l’Entraide Nationale pour 2026"
        in text
    )
    assert "adoptée à l’unanimité" in text
    assert "دفتر التحملات في طور الإعداد. " in text  # a follow-up note without French version
    assert "Siège du ministère de la Solidarité" in text


# Its minutes, read back with poppler's tools


@pytest.fixture(scope="module")
def demo(_demo) -> dict:
    """The demo minutes of 18 دجنبر 2025, and their draft, and the facts of the database they must show."""
    session = Session.objects.with_record().get(year=2025, ordinal=2, board__is_home=True)
    facts = {
        "chair": session.chair.name_ar,
        "agenda": list(session.agenda_items.values_list("title", flat=True)),
        "resolutions": [
            (f"2025/2/{r.sequence}", r.title, r.text, r.unanimous)
            for r in Resolution.objects.filter(session=session).order_by("sequence")
        ],
        "attendance": sorted(
            (a.member.name_ar, a.status, a.proxy.name_ar if a.proxy else None)
            for a in Attendance.objects.filter(session=session).select_related("member", "proxy")
        ),
    }
    facts["pdf"] = render_minutes_pdf(session)
    facts["draft"] = render_minutes_pdf(session, draft=True)
    return facts


def test_the_text_reads_in_logical_order(demo):
    text = N(pdf.text(demo["pdf"]))
    assert N("محضر اجتماع الدورة الثانية للمجلس الإداري لمؤسسة التعاون الوطني برسم سنة 2025") in text
    assert N(demo["chair"]) in text
    assert N("18 دجنبر 2025") in text
    assert N("تلاوة سورة الفاتحة ترحما على أرواح ضحايا فيضانات مدينة آسفي") in text
    for title in demo["agenda"]:
        assert N(title) in text
    for number, title, operative_text, _ in demo["resolutions"]:
        assert N(number) in text
        assert N(title) in text
        assert N(operative_text) in text


def test_the_unanimous_vote_and_the_quorum_are_stated(demo):
    text = N(pdf.text(demo["pdf"]))
    assert N("التصويت بالإجماع") in text
    assert N("وبعد التأكد من اكتمال النصاب القانوني") in text
    assert N("حضر أو مثل 7 من أصل 8") in text


def test_the_follow_up_of_the_june_resolutions_is_in_the_minutes(demo):
    text = N(pdf.text(demo["pdf"]))
    assert N("تتبع تنفيذ القرارات") in text
    for number in ("2025/1/1", "2025/1/2", "2025/1/3", "2025/1/4"):
        assert number in text


def test_the_arabic_font_is_embedded_and_no_font_is_missing(demo):
    fonts = pdf.fonts(demo["pdf"])
    assert any("Noto-Naskh-Arabic" in font["name"] for font in fonts)
    assert all(font["emb"] == "yes" for font in fonts), fonts


def test_every_page_says_its_number_out_of_the_total(demo):
    pages = pdf.page_texts(demo["pdf"])
    assert len(pages) == pdf.page_count(demo["pdf"]) >= 2
    for number, page in enumerate(pages, start=1):
        assert N(f"الصفحة {number} من {len(pages)}") in page


def test_pages_after_the_first_carry_the_running_title(demo):
    for page in pdf.page_texts(demo["pdf"])[1:]:
        assert N("محضر اجتماع الدورة الثانية") in page


def test_the_signature_block_names_the_president_and_the_rapporteur(demo):
    last_page = pdf.page_texts(demo["pdf"])[-1]
    assert N("رئيسة المجلس الإداري") in last_page  # the minister who chairs the board is a woman
    assert N("نعيمة بن يحيى") in last_page
    assert N("مقرر المجلس الإداري") in last_page
    assert N("خطار المجاهدي") in last_page


def test_the_attached_json_matches_the_database(demo):
    record = pdf.attachment(demo["pdf"], "session.json")
    assert record["session"]["date"] == "2025-12-18"
    assert record["session"]["chair"] == demo["chair"]
    assert [item["title"] for item in record["agenda"]] == demo["agenda"]
    assert [(r["number"], r["title"], r["text"], r["unanimous"]) for r in record["resolutions"]] == demo[
        "resolutions"
    ]
    assert sorted((a["name"], a["status"], a["proxy"]) for a in record["attendance"]) == demo["attendance"]
    assert record["quorum"] == {
        "voting_members": 8,
        "present": 6,
        "represented": 1,
        "required": 5,
        "reached": True,
    }


def test_it_is_identified_as_pdf_a_3a_and_pdf_ua_1_in_arabic(demo):
    meta = pdf.xmp(demo["pdf"])
    assert 'pdfaid:part="3"' in meta
    assert 'pdfaid:conformance="A"' in meta
    assert 'pdfuaid:part="1"' in meta
    assert "محضر اجتماع الدورة الثانية" in meta
    assert pdf.catalog_language(demo["pdf"]) == "ar"
    assert pdf.info(demo["pdf"])["Author"] == "المجلس الإداري لمؤسسة التعاون الوطني"


def test_the_draft_says_so_on_every_page(demo):
    pages = pdf.page_texts(demo["draft"])
    assert all(N("مسودة") in page for page in pages)
    assert not any(N("مسودة") in page for page in pdf.page_texts(demo["pdf"]))


def test_the_demo_register_as_popolo_validates_against_its_schema(client, loaded):
    schema = json.loads(b"".join(client.get("/popolo.schema.json").streaming_content))
    data = json.loads(client.get("/resolutions.popolo.json").content)

    checker = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert list(checker.iter_errors(data)) == []
    assert [event["id"] for event in data["events"]] == ["session/2025/1", "session/2025/2"]
    assert [motion["identifier"] for motion in data["motions"]][-1] == "2025/2/1"
    december = data["vote_events"][-1]
    assert december["counts"][0] == {"option": "yes", "value": december["quorum"]["counted"]}
