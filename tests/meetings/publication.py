"""What the publication's tests share (test_publication.py, test_publication_correction.py,
test_unpublished_minutes.py): the reference session, its addresses, and the lifecycle moves they make; the
session of the download's tests (test_minutes_download.py, test_minutes_preview.py); and the full session
of the public pages' tests (test_public_pages.py, test_public_session_page.py).

Every session there goes through the real lifecycle (`factory.publish`): rendered once by WeasyPrint,
signed by pyHanko with the tests' demo certificate, stored with its SHA-256.
"""

import re
from pathlib import Path

from decisions.models import Resolution
from meetings.minutes import lifecycle
from meetings.models import Attendance, Membership, Minutes
from tests import factory

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
    rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR, name_fr="Le DG")
    session = factory.session(board, chair=chair, opening="افتتح السيد الرئيس الجلسة.")
    factory.attend(session, chair)
    factory.attend(session, rapporteur)
    item = factory.agenda_item(session, 1, title=BUDGET)
    factory.resolution(session, 1, agenda_item=item, title="المصادقة على الميزانية")
    return session


def plain_session(board):
    """The 2nd session of 2025 with its chair, a plain member, present and one agenda item."""
    chair = factory.seat(board, name_ar="نعيمة بن يحيى")
    session = factory.session(board, chair=chair)
    factory.attend(session, chair)
    factory.agenda_item(session, 1, title="مشروع ميزانية المؤسسة برسم سنة 2026")
    return session


def full_session(board, **fields):
    """The public pages' full session: a chair, a quorum, a proxy, an agenda with deliberations, two
    resolutions.

    Its minutes are not published: the tests of the published page (test_public_session_page.py) publish
    them once for their module (`factory.publish`)."""
    chair = factory.seat(
        board,
        Membership.Role.PRESIDENT,
        name_ar="نعيمة بن يحيى",
        name_fr="Naïma Ben Yahia",
        title_ar="وزيرة التضامن",
        title_fr="Ministre de la Solidarité",
    )
    # The rapporteur, who approves (signs) the minutes with the president before they are published: the
    # demo person of that seat, named as their certificate (factory.seat).
    holder = factory.seat(board, Membership.Role.RAPPORTEUR, name_fr="Khattar Moujahidi")
    represented = factory.seat(board, name_ar="ممثل وزارة الصحة", name_fr="Représentant de la Santé")
    excused = factory.seat(board, name_ar="ممثل وزارة التربية", name_fr="Représentant de l'Éducation")
    session = factory.session(board, chair=chair, place="مقر الوزارة، الرباط", **fields)
    factory.attend(session, chair)
    factory.attend(session, holder)
    factory.attend(session, represented, Attendance.Status.REPRESENTED, proxy=holder)
    factory.attend(session, excused, Attendance.Status.EXCUSED)
    plan = factory.agenda_item(
        session, 1, title="مشروع مخطط عمل المؤسسة برسم سنة 2026", deliberation="ناقش المجلس المحاور الثلاثة."
    )
    budget = factory.agenda_item(session, 2, title="مشروع الميزانية", deliberation="بعد مناقشة مستفيضة.")
    factory.resolution(session, 1, agenda_item=plan, title="المصادقة على مخطط العمل")
    factory.resolution(
        session,
        2,
        agenda_item=budget,
        title="تأجيل البت في الميزانية",
        unanimous=False,
        votes_for=1,
        votes_against=1,
        votes_abstain=1,
        outcome=Resolution.Outcome.DEFERRED,
    )
    return session


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
        factory.approve(minutes, by=approver)
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
        factory.approve(minutes, by=approver)
    minutes.refresh_from_db()
    lifecycle.sign(minutes, by=secretary)
    minutes.refresh_from_db()
    return minutes


def publish(minutes: Minutes) -> Minutes:
    lifecycle.publish(minutes, by=factory.secretariat_user("publisher"))
    minutes.refresh_from_db()
    return minutes
