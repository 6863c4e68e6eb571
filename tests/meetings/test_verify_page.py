"""The `/verify/` page as a visitor uses it: upload a PDF, read the verdict. Never a 500, whatever the file.

The published file is downloaded from the site after a real publication (`factory.publish`: WeasyPrint,
pyHanko, the tests' demo certificate), made once for the module; the hostile files are made the way
tests/meetings/test_signing.py makes them. Each check runs pyHanko in a child process with the limits of
`meetings.seal.signing`.
"""

import datetime
import fcntl
import hashlib
import io
import os
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer

from meetings.minutes import lifecycle
from meetings.models import Board, Membership, Minutes, Session
from meetings.seal.signing import MAX_VERIFY_BYTES, sign_pdf
from tests import factory
from tests.client import Client
from tests.pages import visible_text
from tests.signing import xref_stream_bomb

pytestmark = pytest.mark.django_db

# What the visitor reads, as locale/ar/LC_MESSAGES/django.po and locale/fr/LC_MESSAGES/django.po say it.
ARABIC = {
    "authentic": "أصلي: هذا الملف هو المحضر المنشور أدناه، موقع ومختوم كما هو مبين، ولم يتغير منذ ذلك.",
    "unconfirmed": "غير مؤكد الآن: هذا الملف هو المحضر المنشور أدناه،",
    "unapproved": "غير مصادق عليه: يحمل هذا الملف خاتم المؤسسة،",
    "modified": "معدَّل: وقعت المؤسسة هذا الملف، لكنه تغير بعد توقيعه. لا تعتمدوا عليه.",
    "unknown": "غير معروف: هذا الملف ليس محضرا منشورا لهذا المجلس.",
    "unreadable": "تعذرت قراءة هذا الملف كوثيقة PDF (فارغ أو تالف أو مشفر أو معقد أكثر من اللازم).",
    "too_large": "هذا الملف أكبر من أن يكون محضرا لهذا المجلس (الحد الأقصى 20 ميغابايت).",
}
FRENCH = {
    "authentic": "Authentique : ce fichier est le procès-verbal publié ci-dessous, signé et scellé comme "
    "indiqué, et inchangé depuis.",
    "unconfirmed": "Non confirmé pour l’instant : ce fichier est le procès-verbal publié ci-dessous,",
    "unapproved": "Non approuvé : ce fichier porte le sceau de l’établissement,",
    "modified": "Modifié : ce fichier a été signé par l'établissement, mais il a été changé depuis sa "
    "signature. Ne vous y fiez pas.",
    "unknown": "Inconnu : ce fichier n'est pas un procès-verbal publié de ce conseil.",
    "unreadable": "Ce fichier n'a pas pu être lu comme un PDF (vide, endommagé, chiffré ou trop complexe à "
    "vérifier).",
    "too_large": "Ce fichier est trop volumineux pour être un procès-verbal de ce conseil (20 Mo au plus).",
}
FIELD_REQUIRED = "هذا الحقل مطلوب."  # Django's own Arabic catalogue
FILE_EMPTY = "الملف الذي قمت بإرساله فارغ."
SUPERSEDED = "عُوِّضت هذه الصيغة بالصيغة 2 التي تصححها."
SESSION_PDF = "/sessions/2025/2/minutes.pdf"


def squashed(text: str) -> str:
    """Whitespace as `visible_text` leaves it: runs of any space (no-break ones included) as one space."""
    return " ".join(text.split())


def upload(client: Client, data: bytes, name: str = "محضر.pdf", path: str = "/verify/"):
    """The visitor picks a file and presses «تحقق من هذا الملف»."""
    response = client.post(path, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})
    assert response.status_code == 200
    return response


def verdict(response, messages: dict[str, str] = ARABIC) -> str:
    """Which verdict the page shows; exactly one of them."""
    text = visible_text(response)
    shown = [outcome for outcome, message in messages.items() if squashed(message) in text]
    assert len(shown) == 1, text
    return shown[0]


def no_verdict(response) -> bool:
    text = visible_text(response)
    return not any(squashed(message) in text for message in ARABIC.values())


def reference_session(board):
    """The 2nd session of 2025 of the board, with its president and rapporteur and one agenda item."""
    chair = factory.seat(board, Membership.Role.PRESIDENT, name_ar="نعيمة بن يحيى")
    rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR)
    session = factory.session(board, chair=chair, opening="افتتح السيد الرئيس الجلسة.")
    factory.attend(session, chair)
    factory.attend(session, rapporteur)
    item = factory.agenda_item(session, 1, title="المصادقة على مخطط عمل سنة 2026")
    factory.resolution(session, 1, agenda_item=item, title="المصادقة على مخطط العمل")
    return session


def june_session(board):
    """The 1st session of 2025 of the same board: its president and rapporteur present, one agenda item."""
    session = factory.session(board, datetime.date(2025, 6, 20), 1, opening="افتتح السيد الرئيس الجلسة.")
    for seat in board.memberships.all():
        factory.attend(session, seat.member)
    factory.agenda_item(session, 1, title="تقرير حول تنفيذ مخطط العمل")
    return session


@pytest.fixture(scope="module")
def _published(module_db) -> SimpleNamespace:
    """The 2nd session of 2025 of the home board, its minutes published once for the module; each test
    reads them in a transaction of its own, which undoes what it changed."""
    session = reference_session(factory.board())
    return SimpleNamespace(session=session.pk, minutes=factory.publish(session).pk)


@pytest.fixture
def session(_published, module_files) -> Session:
    return Session.objects.get(pk=_published.session)


@pytest.fixture
def published(_published, module_files) -> Minutes:
    return Minutes.objects.get(pk=_published.minutes)


@pytest.fixture
def downloaded(published) -> bytes:
    """The signed minutes as anyone gets them: downloaded from the session's page."""
    response = Client().get(SESSION_PDF)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


# Tampered copies, made as an editor or a forger would


def signed_ranges(signed: bytes) -> tuple[int, int]:
    """Where the first signature's /Contents hex string starts and ends: the gap of its /ByteRange."""
    found = re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+\d+\s*\]", signed)
    assert found
    start, second = int(found.group(1)), int(found.group(2))
    return start, second


def one_signed_byte_changed(signed: bytes) -> bytes:
    """One byte changed inside a stream of the signed range (not in /Contents)."""
    gap, _ = signed_ranges(signed)
    position = signed.index(b"stream\n", gap // 2) + 20
    assert position < gap
    changed = bytearray(signed)
    changed[position] ^= 0x01
    return bytes(changed)


def incremental_update(signed: bytes, change) -> bytes:
    """An update appended after the signature, as any PDF editor saves it."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    updated = out.getvalue()
    assert updated.startswith(signed) and len(updated) > len(signed)  # appended, not rewritten
    return updated


def new_title(writer: IncrementalPdfFileWriter) -> None:
    """The document's title changed in its Info dictionary, as a reader's «properties» dialog saves it."""
    info = writer.trailer.raw_get("/Info")
    info.get_object()["/Title"] = generic.TextStringObject("محضر معدل")
    writer.mark_update(info)


def sticky_note(writer: IncrementalPdfFileWriter) -> None:
    """A text annotation on the first page, as a reader's «add a comment» saves it."""
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    note = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
                generic.pdf_name("/Rect"): generic.ArrayObject(map(generic.NumberObject, (50, 50, 70, 70))),
                generic.pdf_name("/Contents"): generic.TextStringObject("تمت المصادقة بالإجماع"),
                generic.pdf_name("/F"): generic.NumberObject(4),
            }
        )
    )
    annotations = page.raw_get("/Annots") if "/Annots" in page else None
    if isinstance(annotations, generic.IndirectObject):
        annotations.get_object().append(note)
        writer.mark_update(annotations)
    else:
        page["/Annots"] = generic.ArrayObject([*(annotations or []), note])
        writer.update_container(page)


def encrypted(signed: bytes) -> bytes:
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(signed)))
    writer.encrypt("owner-password", "")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signature_zeroed(signed: bytes) -> bytes:
    """The signature's /Contents hex string replaced by zeros: the signed bytes themselves untouched."""
    start, end = signed_ranges(signed)
    assert signed[start : start + 1] == b"<" and signed[end - 1 : end] == b">"
    return signed[: start + 1] + b"0" * (end - start - 2) + signed[end - 1 :]


def draft_preview(session) -> bytes:
    """The unsigned draft the secretariat previews in the admin."""
    return factory.draft_pdf(session)


@pytest.fixture(scope="module")
def drafts(_published, stranger) -> SimpleNamespace:
    """The unsigned draft preview of the published session, and a forgery: that preview signed with a
    certificate of another CA, named like the institution's (made once for the tests that upload them)."""
    preview = draft_preview(Session.objects.get(pk=_published.session))
    with override_settings(**stranger):
        forged = sign_pdf(preview, reason="محضر الدورة الثانية برسم سنة 2025", location="الرباط")
    return SimpleNamespace(preview=preview, forged=forged)


def signed_not_published(session) -> Minutes:
    secretary = factory.secretariat_user("signer")
    minutes = lifecycle.start_version(session, by=secretary)
    lifecycle.submit_for_review(minutes, by=secretary)
    for approver in factory.approvers(session.board):
        factory.approve(minutes, by=approver)
    minutes.refresh_from_db()
    return lifecycle.sign(minutes, by=secretary)


# Authentic


def test_the_published_minutes_downloaded_from_the_site_are_authentic(client, published, downloaded):
    response = upload(client, downloaded)

    assert verdict(response) == "authentic"
    text = visible_text(response)
    assert "الدورة الثانية برسم سنة 2025" in text
    assert "الصيغة 1" in text
    assert published.sha256 in text
    assert f'href="/minutes/{published.code}.pdf"' in response.content.decode()


def test_the_same_check_in_french(client, published, downloaded):
    response = upload(client, downloaded, path="/fr/verify/")

    assert verdict(response, FRENCH) == "authentic"
    text = visible_text(response)
    with translation.override("fr"):
        assert published.session.title in text
    assert "Version 1" in text
    assert published.sha256 in text
    assert '<html lang="fr"' in response.content.decode()


def test_an_earlier_version_is_authentic_and_says_it_was_superseded(client, session, published, downloaded):
    secretary = factory.secretariat_user("corrector")
    second = lifecycle.start_version(session, by=secretary, reason="تصحيح خطأ مادي")
    lifecycle.submit_for_review(second, by=secretary)
    for approver in factory.approvers(session.board):
        factory.approve(second, by=approver)
    second.refresh_from_db()
    lifecycle.publish(lifecycle.sign(second, by=secretary), by=secretary)

    response = upload(client, downloaded)

    assert verdict(response) == "authentic"
    assert "الصيغة 1" in visible_text(response)
    assert SUPERSEDED in visible_text(response)
    assert f'href="/verify/{second.code}/"' in response.content.decode()


def padding_changed(signed: bytes) -> bytes:
    """The zeros that pad the signature's /Contents after its DER, partly turned to other hex digits:
    outside the signed ranges, and outside the signature."""
    _, end = signed_ranges(signed)
    padding = signed.rindex(b"0" * 64, 0, end)
    return signed[:padding] + b"ab" * 32 + signed[padding + 64 :]


def test_a_line_end_after_the_end_of_the_file_leaves_it_authentic(client, published, downloaded):
    copy = downloaded + b"\r\n"

    response = upload(client, copy)

    assert verdict(response) == "authentic"
    assert "الصيغة 1" in visible_text(response)


def test_the_padding_of_the_signature_changed_breaks_the_archive_timestamp_and_is_modified(
    client, published, downloaded
):
    # Outside the seal's signed ranges, but inside what the archive timestamp covers: its digest no longer
    # matches, and a broken archive timestamp is not archival maintenance.
    assert verdict(upload(client, padding_changed(downloaded))) == "modified"


# Modified


def test_one_byte_changed_inside_the_signed_content_is_modified(client, downloaded):
    assert verdict(upload(client, one_signed_byte_changed(downloaded))) == "modified"


@pytest.mark.parametrize("change", [new_title, sticky_note], ids=["document info", "an annotation"])
def test_an_update_appended_after_signing_is_modified(client, downloaded, change):
    assert verdict(upload(client, incremental_update(downloaded, change))) == "modified"


# Unknown: never authentic


def test_the_unsigned_draft_preview_is_unknown(client, drafts):
    assert verdict(upload(client, drafts.preview)) == "unknown"


def test_a_valid_pdf_signed_under_another_ca_is_unknown(client, drafts):
    assert verdict(upload(client, drafts.forged)) == "unknown"


def test_a_forgery_under_another_ca_changed_after_signing_is_not_called_the_institutions(client, drafts):
    response = upload(client, one_signed_byte_changed(drafts.forged))

    # «Modified» says the institution signed the file: a certificate nobody trusts proves no such thing.
    assert verdict(response) == "unknown"


def test_a_forged_published_row_for_a_file_signed_under_another_ca_is_not_authentic(client, drafts):
    # Someone who can write to the database adds a published version whose SHA-256 is the forgery's.
    session = factory.session(Board.objects.home(), datetime.date(2024, 3, 1), 1)
    Minutes.objects.create(
        session=session,
        version=1,
        state=Minutes.State.PUBLISHED,
        sha256=hashlib.sha256(drafts.forged).hexdigest(),
        pdf="minutes/signed/forged.pdf",
    )
    forged_sha = hashlib.sha256(drafts.forged).hexdigest()
    assert Minutes.objects.published().filter(sha256=forged_sha, session__board__is_home=True).exists()

    assert verdict(upload(client, drafts.forged)) == "unknown"


def test_minutes_signed_by_the_institution_but_not_published_are_unknown(client, session):
    minutes = signed_not_published(june_session(session.board))  # the 2nd one is published

    response = upload(client, minutes.pdf.read())

    assert verdict(response) == "unknown"
    assert minutes.sha256 not in response.content.decode()
    assert minutes.code not in response.content.decode()


def test_published_minutes_of_another_board_are_unknown(client):
    board = factory.board(is_home=False)
    minutes = factory.publish(factory.session(board))

    assert verdict(upload(client, minutes.pdf.read())) == "unknown"


# Files that cannot be checked: a clear message, never a 500


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda signed: b"garbage " * 1000, id="garbage"),
        pytest.param(lambda signed: signed[: len(signed) // 2], id="truncated"),
        pytest.param(encrypted, id="encrypted"),
        pytest.param(lambda signed: xref_stream_bomb(), id="a bomb"),
    ],
)
def test_a_file_that_cannot_be_read_says_so(client, downloaded, make):
    assert verdict(upload(client, make(downloaded))) == "unreadable"


def test_a_signature_zeroed_out_is_not_authentic(client, downloaded):
    response = upload(client, signature_zeroed(downloaded))

    # «damaged» (pyHanko cannot parse the signature) or «changed since its signature»: both are true.
    assert verdict(response) in {"unreadable", "modified"}


def test_an_empty_file_is_refused_by_the_form(client):
    response = upload(client, b"")

    assert FILE_EMPTY in visible_text(response)
    assert no_verdict(response)


def test_fifty_megabytes_are_too_large(client):
    response = client.post("/verify/", **fifty_megabytes())

    assert response.status_code == 413  # refused on its announced length, before its body is read
    assert verdict(response) == "too_large"


def test_fifty_megabytes_are_too_large_in_french_too(client):
    response = client.post("/fr/verify/", **fifty_megabytes())

    assert verdict(response, FRENCH) == "too_large"


def fifty_megabytes() -> dict:
    """A multipart body as a browser streams it, built once (the test client's encoder would copy it)."""
    boundary = "----verify-boundary"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    data = head + b"%PDF-1.7\n" + bytes(50 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    assert len(data) > MAX_VERIFY_BYTES
    return {"data": data, "content_type": f"multipart/form-data; boundary={boundary}"}


# The form itself


def test_the_page_shows_the_form(client):
    response = client.get("/verify/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'action="/verify/"' in page
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input[^>]*type="file"[^>]*name="file"', page)
    assert "ملف PDF المراد التحقق منه" in visible_text(response)
    assert no_verdict(response)


def test_sending_the_form_without_a_file_asks_for_one(client):
    response = client.post("/verify/", {})

    assert response.status_code == 200
    assert FIELD_REQUIRED in visible_text(response)
    assert no_verdict(response)


def test_an_unknown_verification_code_is_a_404(client):
    assert client.get("/verify/no-such-code/").status_code == 404


@pytest.mark.parametrize("data", [b"garbage", b""], ids=["checked", "refused by the form"])
def test_markup_in_the_file_name_is_never_echoed_unescaped(client, data):
    response = upload(client, data, name='<script>alert("x")</script><img src=x onerror=alert(1)>.pdf')

    page = response.content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page


def test_a_body_announced_above_the_limit_is_refused_before_it_is_read(client):
    # The body is three bytes; its announced length, a hundred megabytes: answered from the header alone.
    response = client.generic(
        "POST",
        "/verify/",
        b"---",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert "هذا الملف أكبر من أن يكون محضرا لهذا المجلس" in visible_text(response)


@override_settings(VERIFICATIONS_PER_MINUTE=2)
def test_one_address_gets_a_few_checks_a_minute_and_is_told_to_wait(client):
    upload = {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.7 not really", content_type="application/pdf")}

    answers = [
        client.post("/verify/", dict(upload), REMOTE_ADDR="198.51.100.7").status_code for _ in range(3)
    ]
    elsewhere = client.post("/verify/", dict(upload), REMOTE_ADDR="198.51.100.8")

    assert answers == [200, 200, 429]
    told = client.post("/verify/", dict(upload), REMOTE_ADDR="198.51.100.7")
    assert "انتظروا دقيقة" in visible_text(told)
    assert 1 <= int(told["Retry-After"]) <= 60  # the rest of the minute
    assert elsewhere.status_code == 200


def test_no_more_checks_run_at_once_than_the_server_takes(client, settings, tmp_path, published):
    settings.VERIFICATIONS_AT_ONCE, settings.VERIFICATION_LOCKS = 1, str(tmp_path)
    settings.VERIFICATION_WAIT_SECONDS = 0.5
    genuine = published.pdf.open("rb").read()
    # Another process of the server is checking a file: it holds the one place (its lock file).
    other = os.open(tmp_path / "check-0.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_EX)
    try:
        busy = client.post("/verify/", {"file": SimpleUploadedFile("m.pdf", genuine)})
    finally:
        os.close(other)

    assert busy.status_code == 503
    assert busy["Retry-After"] == "60"
    assert "كل عمليات التحقق التي يجريها الخادم في آن واحد مشغولة الآن" in visible_text(busy)
    # The place is free again: the same file is checked.
    again = client.post("/verify/", {"file": SimpleUploadedFile("m.pdf", genuine)})
    assert again.status_code == 200
    assert "أصلي" in visible_text(again)
