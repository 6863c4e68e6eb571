"""Publication of the signed minutes: what the public downloads is the stored signed file, byte for byte.

Every session here goes through the real lifecycle (`factory.publish`): rendered once by WeasyPrint,
signed by pyHanko with the tests' demo certificate, stored with its SHA-256.
"""

import hashlib
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError

from meetings import lifecycle
from meetings.models import Attendance, Membership, Minutes
from tests import factory, pdf
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

N = pdf.normalized
BUDGET = "مشروع ميزانية المؤسسة برسم سنة 2026"
CORRECTED = "مشروع ميزانية مؤسسة التعاون الوطني برسم سنة 2026"
SESSION_PDF = "/sessions/2025/2/minutes.pdf"
A_DAY = 24 * 3600
# As locale/ar/LC_MESSAGES/django.po says them.
SUPERSEDED = "عُوِّضت هذه الصيغة بالصيغة 2 التي تصححها."
SEE_CURRENT = "الاطلاع على الصيغة الحالية"


def reference_session(board):
    """The 2nd session of 2025: a chair and a rapporteur present, one agenda item and its resolution."""
    chair = factory.seat(board, Membership.Role.PRESIDENT, name_ar="نعيمة بن يحيى", name_fr="Naïma Ben Yahia")
    rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR, name_ar="المدير العام", name_fr="Le DG")
    session = factory.session(board, chair=chair, opening="افتتح السيد الرئيس الجلسة.")
    factory.attend(session, chair)
    factory.attend(session, rapporteur)
    item = factory.agenda_item(session, 1, title=BUDGET)
    factory.resolution(session, 1, agenda_item=item, title="المصادقة على الميزانية")
    return session


@pytest.fixture
def session():
    return reference_session(factory.board())


@pytest.fixture
def published(session) -> Minutes:
    return factory.publish(session)


def version_pdf(minutes: Minutes) -> str:
    return f"/minutes/{minutes.code}.pdf"


def verify_page(minutes: Minutes) -> str:
    return f"/verify/{minutes.code}/"


def body(response) -> bytes:
    """The bytes a browser receives, whether the response streams a file or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def stored(minutes: Minutes) -> bytes:
    return Path(minutes.pdf.path).read_bytes()


def max_age(response) -> int:
    found = re.search(r"(?:^|,)\s*max-age=(\d+)\s*(?:,|$)", response["Cache-Control"])
    assert found, response["Cache-Control"]
    return int(found.group(1))


def advance(session, to: str) -> Minutes:
    """The session's first minutes moved through the real lifecycle up to the state `to`."""
    secretary = factory.secretariat_user(f"sec{session.pk}")
    minutes = lifecycle.start_version(session, by=secretary)
    if to == Minutes.State.DRAFT:
        return minutes
    lifecycle.submit_for_review(minutes, by=secretary)
    if to == Minutes.State.IN_REVIEW:
        return minutes
    for approver in factory.approvers(session.board):
        lifecycle.approve(minutes, by=approver)
    minutes.refresh_from_db()
    if to == Minutes.State.APPROVED:
        return minutes
    lifecycle.sign(minutes, by=secretary)
    minutes.refresh_from_db()
    return minutes


def correct(session, *, reason: str = "تصحيح خطأ مادي في عنوان النقطة الأولى") -> Minutes:
    """Version 2, signed: started with a reason, the record corrected, reviewed and approved again."""
    secretary = factory.secretariat_user("corrector")
    minutes = lifecycle.start_version(session, by=secretary, reason=reason)
    item = session.agenda_items.get(position=1)
    item.title = CORRECTED
    item.save()
    lifecycle.submit_for_review(minutes, by=secretary)
    for approver in factory.approvers(session.board):
        lifecycle.approve(minutes, by=approver)
    minutes.refresh_from_db()
    lifecycle.sign(minutes, by=secretary)
    minutes.refresh_from_db()
    return minutes


def publish(minutes: Minutes) -> Minutes:
    lifecycle.publish(minutes, by=factory.secretariat_user("publisher"))
    minutes.refresh_from_db()
    return minutes


# The stored signed file, as both public addresses serve it


@pytest.fixture(params=["session", "version"])
def download(request, published) -> str:
    """The session's latest published minutes, and this one version for good."""
    return SESSION_PDF if request.param == "session" else version_pdf(published)


def test_the_download_is_the_stored_signed_file_byte_for_byte(client, published, download):
    response = client.get(download)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = body(response)
    assert data == stored(published)
    assert hashlib.sha256(data).hexdigest() == published.sha256


def test_the_etag_is_the_sha256_of_the_file_and_strong(client, published, download):
    response = client.get(download)

    assert response["ETag"] == f'"{published.sha256}"'
    assert not response["ETag"].startswith("W/")


def test_the_download_is_publicly_cacheable(client, published, download):
    response = client.get(download)

    assert "public" in [part.strip() for part in response["Cache-Control"].split(",")]
    assert max_age(response) > 0


def test_the_session_address_is_cached_briefly_since_a_correction_replaces_it(client, published):
    assert max_age(client.get(SESSION_PDF)) <= 3600


def test_one_version_is_cached_for_long_since_its_bytes_never_change(client, published):
    assert max_age(client.get(version_pdf(published))) >= 30 * A_DAY


def test_the_file_name_is_arabic_with_an_ascii_fallback(client, published, download):
    disposition = client.get(download)["Content-Disposition"]

    # «محضر-الدورة-2-2025-الصيغة-1.pdf», percent-encoded in UTF-8 as RFC 5987 asks.
    assert disposition == (
        "inline; filename=\"minutes-2025-2-v1.pdf\"; filename*=UTF-8''"
        "%D9%85%D8%AD%D8%B6%D8%B1-%D8%A7%D9%84%D8%AF%D9%88%D8%B1%D8%A9-2-2025-"
        "%D8%A7%D9%84%D8%B5%D9%8A%D8%BA%D8%A9-1.pdf"
    )
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "محضر-الدورة-2-2025-الصيغة-1.pdf"


def test_a_copy_the_browser_already_has_is_not_sent_again(client, published, download):
    etag = f'"{published.sha256}"'

    response = client.get(download, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert body(response) == b""
    # RFC 9110 (15.4.5): a 304 carries the ETag and Cache-Control that the 200 would have sent.
    assert response["ETag"] == etag
    assert max_age(response) > 0


def test_a_copy_with_another_etag_gets_the_file_again(client, published, download):
    response = client.get(download, headers={"If-None-Match": f'"{"0" * 64}"'})

    assert response.status_code == 200
    assert body(response) == stored(published)


# Never a re-render


def _set(row, **fields) -> None:
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()


# Each changes one input of the rendering: the record the minutes print.
RECORD_CHANGES = {
    "the session's opening": lambda s: _set(s, opening="نص آخر"),
    "an agenda item's title": lambda s: _set(s.agenda_items.get(), title=CORRECTED),
    "a new agenda item": lambda s: factory.agenda_item(s, 2),
    "deleting an agenda item": lambda s: s.agenda_items.get().delete(),
    "an attendance": lambda s: _set(s.attendances.first(), status=Attendance.Status.ABSENT),
    "a resolution": lambda s: _set(s.resolutions.get(), title="قرار آخر"),
}


@pytest.mark.parametrize("change", RECORD_CHANGES.values(), ids=RECORD_CHANGES.keys())
def test_after_publication_the_record_the_pdf_is_made_of_cannot_change(client, session, published, change):
    with pytest.raises(ValidationError) as refused:
        change(session)

    assert refused.value.code == "frozen"
    session.refresh_from_db()
    assert session.opening == "افتتح السيد الرئيس الجلسة."
    assert list(session.agenda_items.values_list("title", flat=True)) == [BUDGET]
    assert body(client.get(SESSION_PDF)) == stored(published)


def test_the_download_never_renders_the_minutes_again(client, published, monkeypatch):
    def no_rendering(*args, **kwargs):
        raise AssertionError("the public download rendered the minutes")

    monkeypatch.setattr("weasyprint.HTML.write_pdf", no_rendering)
    monkeypatch.setattr("meetings.lifecycle.render_minutes_pdf", no_rendering)

    first = body(client.get(SESSION_PDF))
    second = body(client.get(SESSION_PDF))

    assert first == second == stored(published)


def test_pdfsig_finds_the_downloaded_file_validly_signed_as_a_whole(client, published, tmp_path):
    path = tmp_path / "downloaded.pdf"
    path.write_bytes(body(client.get(SESSION_PDF)))

    # pdfsig exits 0 whatever it finds: its text is the verdict.
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout

    assert "Signature is Valid." in report
    assert "Total document signed" in report


def test_the_downloaded_file_reads_as_the_sessions_minutes(client, published):
    assert N(BUDGET) in N(pdf.text(body(client.get(SESSION_PDF))))


def test_the_pdf_prints_the_address_of_its_verify_page(client, published, settings):
    text = N(pdf.text(body(client.get(SESSION_PDF))))

    assert N(f"{settings.SITE_URL}{verify_page(published)}") in text


def test_the_verify_page_names_the_session_the_version_and_the_sha256(client, published):
    response = client.get(verify_page(published))

    assert response.status_code == 200
    text = visible_text(response)
    assert "الدورة الثانية برسم سنة 2025" in text
    assert "الصيغة 1" in text
    assert published.sha256 in text
    assert SEE_CURRENT not in text
    assert f'href="{version_pdf(published)}"' in response.content.decode()


# A correction


def test_a_published_correction_replaces_the_minutes_at_the_sessions_address(client, session, published):
    second = publish(correct(session))
    assert (second.version, second.reason) == (2, "تصحيح خطأ مادي في عنوان النقطة الأولى")

    response = client.get(SESSION_PDF)

    data = body(response)
    assert data == stored(second) != stored(published)
    assert response["ETag"] == f'"{second.sha256}"'
    assert 'filename="minutes-2025-2-v2.pdf"' in response["Content-Disposition"]
    assert N(CORRECTED) in N(pdf.text(data))


def test_the_corrected_version_keeps_its_own_address_and_bytes(client, session, published):
    first_bytes = stored(published)
    publish(correct(session))

    response = client.get(version_pdf(published))

    assert response.status_code == 200
    assert body(response) == first_bytes
    assert response["ETag"] == f'"{published.sha256}"'
    assert 'filename="minutes-2025-2-v1.pdf"' in response["Content-Disposition"]


def test_the_first_versions_page_says_it_was_superseded_and_links_to_the_correction(
    client, session, published
):
    second = publish(correct(session))

    page = client.get(verify_page(published)).content.decode()

    assert SUPERSEDED in page
    assert f'href="{verify_page(second)}"' in page
    assert f'href="{version_pdf(published)}"' in page


def test_the_correction_has_its_own_verify_page_that_supersedes_nothing(client, session, published):
    second = publish(correct(session))

    page = client.get(verify_page(second)).content.decode()

    assert second.sha256 in page
    assert SEE_CURRENT not in page


def test_a_correction_signed_but_not_published_changes_nothing_the_public_sees(client, session, published):
    second = correct(session)

    assert body(client.get(SESSION_PDF)) == stored(published)
    assert client.get(version_pdf(second)).status_code == 404
    assert client.get(verify_page(second)).status_code == 404
    page = client.get(verify_page(published)).content.decode()
    assert second.code not in page
    assert SEE_CURRENT not in page


# Before publication, and outside the home board


def test_a_session_without_minutes_has_no_pdf(client, session):
    assert client.get(SESSION_PDF).status_code == 404


@pytest.mark.parametrize("state", ["draft", "in_review", "approved", "signed"])
def test_minutes_not_yet_published_are_served_nowhere(client, session, state):
    minutes = advance(session, state)
    assert minutes.state == state

    assert client.get(SESSION_PDF).status_code == 404
    assert client.get(version_pdf(minutes)).status_code == 404
    assert client.get(verify_page(minutes)).status_code == 404


def test_signed_minutes_have_their_file_stored_yet_not_served(client, session):
    minutes = advance(session, Minutes.State.SIGNED)

    assert stored(minutes).startswith(b"%PDF-")
    assert client.get(SESSION_PDF).status_code == 404
    assert client.get(version_pdf(minutes)).status_code == 404


def test_published_minutes_of_another_board_are_served_nowhere(client):
    minutes = factory.publish(reference_session(factory.board(is_home=False)))

    assert client.get(minutes.session.get_absolute_url()).status_code == 404
    assert client.get(SESSION_PDF).status_code == 404
    assert client.get(version_pdf(minutes)).status_code == 404
    assert client.get(verify_page(minutes)).status_code == 404


def test_an_unknown_version_code_is_a_404(client, published):
    assert client.get("/minutes/no-such-code.pdf").status_code == 404
    assert client.get("/verify/no-such-code/").status_code == 404


# The session's page


def test_the_session_page_links_to_the_signed_pdf_and_to_its_verify_page(client, session, published):
    page = client.get(session.get_absolute_url()).content.decode()

    assert f'href="{SESSION_PDF}"' in page
    assert f'href="{verify_page(published)}"' in page


def test_after_a_correction_the_session_page_links_to_the_corrections_verify_page(client, session, published):
    second = publish(correct(session))

    page = client.get(session.get_absolute_url()).content.decode()

    assert f'href="{verify_page(second)}"' in page
    assert f'href="{verify_page(published)}"' not in page
