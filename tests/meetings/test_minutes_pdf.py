"""The minutes PDF, read back with poppler's tools: a large session, hostile text, figures, the logo, and
its tagging for assistive technology (veraPDF's verdict on it: test_pdfa_conformance.py).

The demo's minutes (text, fonts, pages, attachment, PDF/A metadata) are read in test_demo.py, where the
demo is loaded once for all the tests that read it.
"""

import datetime
import unicodedata

import pytest
from django.db import transaction
from django.test import override_settings
from PIL import Image

from meetings.minutes.pdf import minutes_title, render_minutes_pdf
from meetings.models import Membership, Session
from meetings.seal.signing import Status, sign_pdf, verify_pdf
from tests import factory, pdf

N = pdf.normalized


def _render(session_filter: dict, *, draft: bool = False) -> bytes:
    return render_minutes_pdf(Session.objects.with_record().get(**session_filter), draft=draft)


@pytest.fixture(scope="module")
def large(django_db_setup, django_db_blocker):
    """40 agenda items, 60 resolutions, 35 attendees."""
    with django_db_blocker.unblock(), transaction.atomic():
        board = factory.board(is_home=False)
        members = [factory.seat(board, name_ar=f"العضو رقم {n} من أعضاء المجلس") for n in range(1, 36)]
        session = factory.session(board, chair=members[0])
        for member in members:
            factory.attend(session, member)
        for position in range(1, 41):
            factory.agenda_item(
                session,
                position,
                title=f"النقطة رقم {position} من جدول الأعمال",
                deliberation="تداول المجلس في هذه النقطة تداولا مستفيضا. " * 6,
            )
        for sequence in range(1, 61):
            factory.resolution(session, sequence, title=f"القرار التجريبي رقم {sequence}")
        rendered = _render({"pk": session.pk})
        transaction.set_rollback(True)
    return rendered


def test_a_large_session_repeats_the_attendance_header_on_each_page_it_spans(large):
    pages = pdf.page_texts(large)
    spanned = [page for page in pages if N("العضو رقم") in page]
    assert len(spanned) >= 2
    for page in spanned:
        assert N("الاسم") in page and N("الصفة") in page and N("الحضور") in page


def test_a_large_session_shows_every_item_and_resolution(large):
    text = N(pdf.text(large))
    assert N("النقطة رقم 40 من جدول الأعمال") in text
    assert N("القرار التجريبي رقم 60") in text
    assert pdf.page_count(large) > 10


HOSTILE = {
    "markup": '<b>عريض</b><style>body{display:none}</style><img src="file:///etc/passwd">',
    "script": "<script>alert('x')</script>",
    "long_word": "ب" * 5000,
    "rlo": "نص يبدأ بعلامة اتجاه \u202e معكوسة",
    "lri": "عزل \u2066 غير مغلق",
    "emoji": "تصويت 👍🏽 موفق",
    "french": "Élaboration du budget : échéancier validé, à l'unanimité",
}


@pytest.fixture(scope="module")
def hostile(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        board = factory.board(is_home=False)
        chair = factory.seat(board, role=Membership.Role.PRESIDENT, name_ar=HOSTILE["rlo"])
        session = factory.session(board, chair=chair, place=HOSTILE["markup"], opening=HOSTILE["script"])
        factory.attend(session, chair)
        for position, (key, value) in enumerate(HOSTILE.items(), start=1):
            factory.agenda_item(session, position, title=f"{key}: {value[:400]}", deliberation=value)
            factory.agenda_item(session, position + 20, title=f"نقطة سليمة بعد {key}")
        factory.resolution(
            session, 1, title=HOSTILE["lri"], text=HOSTILE["emoji"], due_date=datetime.date(2026, 11, 29)
        )
        rendered = _render({"pk": session.pk})
        transaction.set_rollback(True)
    return rendered


def test_markup_in_fields_is_printed_as_text(hostile):
    # pdftotext mirrors and moves neutral characters around Latin runs inside an Arabic page, so the
    # markup is checked piecewise: its words are there and so is every angle bracket it was typed with.
    text = N(pdf.text(hostile))
    for word in ("script", "alert", "style", "body{displaynone}", "img", "src=", "عريض"):
        assert word in text
    typed = HOSTILE["markup"] + HOSTILE["script"]
    assert text.count("<") + text.count(">") >= typed.count("<") + typed.count(">")


def test_hostile_text_does_not_break_what_follows(hostile):
    text = N(pdf.text(hostile))
    for key in HOSTILE:
        assert N(f"نقطة سليمة بعد {key}") in text
    assert N(HOSTILE["french"]) in text
    assert text.count("ب" * 200) >= 1


def test_french_accents_survive(hostile):
    assert "Élaboration" in unicodedata.normalize("NFC", pdf.text(hostile))


FIGURES = "انعقد الاجتماع يوم 2026-11-29 بمبلغ 1.250.000,50 درهم والهاتف +212 537 12 34 56 مع Naïma Ben Yahia"


@pytest.fixture(scope="module")
def figures(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        session = factory.session(factory.board(is_home=False))
        factory.agenda_item(session, 1, title="نقطة الأرقام", deliberation=FIGURES)
        rendered = _render({"pk": session.pk})
        transaction.set_rollback(True)
    return rendered


@pytest.mark.parametrize("figure", ["2026-11-29", "1.250.000,50", "+212 537 12 34 56", "Naïma Ben Yahia"])
def test_figures_and_latin_names_in_arabic_text_keep_their_order(figures, figure):
    # Punctuation and digits exactly as typed; only whitespace (line breaks) is ignored.
    text = "".join(pdf.BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", pdf.text(figures))).split())
    assert "".join(figure.split()) in text


@pytest.mark.django_db
def test_an_override_written_around_the_models_does_not_reverse_the_printed_line():
    # An UPDATE skips the models' saves, which drop the bidi controls: the printing drops them too.
    session = factory.session(factory.board(is_home=False))
    item = factory.agenda_item(session, 1, title="نقطة")
    type(item).objects.filter(pk=item.pk).update(deliberation="المرجع \u202eABC-123 XYZ ثم النص")

    text = "".join(pdf.BIDI_CONTROLS.sub("", pdf.text(_render({"pk": session.pk}))).split())

    assert "ABC-123XYZ" in text
    assert "ZYX" not in text


@pytest.mark.django_db
def test_a_configured_logo_is_printed_in_the_letterhead(settings, tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 80), (11, 93, 75)).save(logo)
    settings.INSTITUTION_LOGO = str(logo)
    session = factory.session(factory.board(is_home=False))

    rendered = _render({"pk": session.pk})

    assert [(image["page"], image["width"], image["height"]) for image in pdf.images(rendered)] == [
        (1, 120, 80)
    ]


# Tagged for assistive technology: PDF/UA-1, with PDF/A-3A.

FRENCH = "Le conseil a pris acte du rapport d'activité présenté par la direction."


@pytest.fixture(scope="module")
def tagged(django_db_setup, django_db_blocker, tmp_path_factory) -> dict:
    """A session with a French deliberation, a resolution and a logo: its draft, and the rendering to be
    signed (QR code, signature block)."""
    logo = tmp_path_factory.mktemp("logo") / "logo.png"
    Image.new("RGB", (120, 80), (11, 93, 75)).save(logo)
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(INSTITUTION_LOGO=str(logo)),
    ):
        board = factory.board(is_home=False)
        chair = factory.seat(board, role=Membership.Role.PRESIDENT)
        session = factory.session(board, chair=chair)
        factory.attend(session, chair)
        factory.agenda_item(session, 1, title="عرض تقرير الأنشطة", deliberation=FRENCH)
        factory.agenda_item(session, 2, title="نقطة ثانية", deliberation="تداول المجلس في هذه النقطة.")
        factory.resolution(session, 1, title="المصادقة على تقرير الأنشطة", unanimous=False, votes_for=7)
        minutes = factory.minutes_at(session)
        fetched = Session.objects.with_record().get(pk=session.pk)
        files = {
            "title": minutes_title(fetched),
            "draft": render_minutes_pdf(fetched, draft=True),
            "to_sign": render_minutes_pdf(fetched, minutes=minutes),
        }
        transaction.set_rollback(True)
    return files


def test_the_minutes_are_tagged_in_arabic_with_their_title_in_the_window(tagged):
    document = tagged["to_sign"]
    catalog = pdf.catalog(document)

    assert pdf.tagged(document)
    assert catalog["/Lang"] == "ar"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert pdf.info(document)["Title"] == tagged["title"]


def test_the_metadata_identify_pdf_a_3a_and_pdf_ua_1(tagged):
    meta = pdf.xmp(tagged["to_sign"])

    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="A"' in meta
    assert 'pdfuaid:part="1"' in meta
    assert tagged["title"] in meta


def test_headings_tables_and_lists_are_tagged(tagged):
    types = pdf.structure_types(tagged["to_sign"])

    assert types[0] == "Document" and types.count("H1") == 1
    assert {"H2", "H3", "Table", "THead", "TH", "TD", "L", "LI", "LBody", "P", "Figure"} <= set(types)


def test_arabic_is_read_aloud_in_its_order_and_the_document_s_order(tagged):
    text = pdf.read_aloud(tagged["to_sign"])
    headings = [N(tagged["title"]), N("أولا: الحضور والنصاب القانوني"), N("جدول الأعمال"), N("القرارات")]

    assert N("المملكة المغربية") in text
    assert [text.index(heading) for heading in headings] == sorted(text.index(h) for h in headings)


def test_a_french_passage_is_read_in_french_and_the_rest_in_arabic(tagged):
    runs = [e for e in pdf.structure(tagged["to_sign"]) if e.actual_text]
    french = [run for run in runs if run.lang == "fr"]

    assert N("".join(run.actual_text for run in french)) == N(FRENCH)
    assert {run.lang for run in runs} == {"fr", None}  # None: the document's language, ar


def test_the_letterhead_signatures_and_verification_are_not_data_tables(tagged):
    runs = [e for e in pdf.structure(tagged["to_sign"]) if e.actual_text]
    for words in (
        "المملكة المغربية",
        "رئيس المجلس الإداري",
        "بتوقيعه الإلكتروني",
        "للتحقق من صحة هذه الوثيقة",
    ):
        run = next(run for run in runs if N(words) in N(run.actual_text))
        assert "Table" not in run.ancestors, words
    assert pdf.structure_types(tagged["to_sign"]).count("Table") == 2  # the attendance, the vote


def test_the_logo_and_the_qr_code_say_what_they_are_in_arabic(tagged):
    alts = [e.alt for e in pdf.structure(tagged["to_sign"]) if e.type == "Figure"]

    assert len(alts) == 2
    assert alts[0].startswith("شعار ")
    assert "رمز QR" in alts[1] and "التحقق" in alts[1]


def test_each_data_cell_is_headed_by_its_own_header(tagged):
    cells = [e for e in pdf.structure(tagged["to_sign"]) if e.type in ("TH", "TD")]
    row_headers = [cell for cell in cells if cell.type == "TH" and cell.attributes["/Scope"] == "/Row"]

    assert all(cell.attributes["/Scope"] in ("/Row", "/Column") for cell in cells if cell.type == "TH")
    assert all(len(cell.attributes["/Headers"]) == 1 for cell in cells if cell.type == "TD")
    assert len(row_headers) == 2  # the vote's التصويت and النتيجة, each heading the cell after it
    for header in row_headers:
        after = cells[cells.index(header) + 1]
        assert list(after.attributes["/Headers"]) == [header.id]


def test_the_watermark_is_not_read_aloud(tagged):
    # «مسودة» once: the letterhead's «مسودة غير نهائية», not the watermark printed across the page.
    assert pdf.read_aloud(tagged["draft"]).count(N("مسودة")) == 1


def test_the_running_header_and_the_page_numbers_are_not_read_aloud(large):
    text = pdf.read_aloud(large)

    assert N("الصفحة") not in text
    assert text.count(N("محضر اجتماع")) == 1  # the title, not the running header of every other page


def test_the_objects_are_not_packed_in_an_object_stream(large):
    """pyHanko reads an object of an object stream by parsing the stream's header up to it: packed, the
    objects of the large session's structure tree made a check of its signed copy take minutes."""
    assert b"/ObjStm" not in large


@pytest.mark.slow  # signs and checks the large session (make test-all)
def test_the_sealed_large_session_is_checked_within_the_limits(large, signing_settings):
    check = verify_pdf(sign_pdf(large, reason="محضر", location="الرباط"))

    assert check.status == Status.VALID, check.detail
