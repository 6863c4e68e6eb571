"""The minutes (محضر) of a session as an archival PDF: an HTML template printed by WeasyPrint.

The PDF is a PDF/A-3b in Arabic with the session's facts attached as JSON, so that a machine can read
the record without parsing Arabic prose. It is rendered for the secretariat's draft previews, and once
for good at signature (`meetings.lifecycle.sign`): the public gets that stored, signed file.
"""

import base64
import dataclasses
import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from .dates import moroccan_date
from .models import Approval, Attendance, Membership, Minutes, Quorum, Session

TEMPLATE = "pdf/minutes.html"
STYLESHEET = Path(settings.BASE_DIR) / "static" / "pdf" / "minutes.css"
ATTACHMENT_NAME = "session.json"


def minutes_queryset():
    """Sessions with everything the minutes show, in a fixed number of queries."""
    return Session.objects.select_related("board", "chair").prefetch_related(
        Prefetch("attendances", Attendance.objects.select_related("member", "proxy")),
        "agenda_items",
        # Spelled as strings: meetings never imports decisions.
        "resolutions__agenda_item",
        "follow_ups__resolution__session",
    )


NAME_FIELDS = ("name_ar", "name_fr", "title_ar", "title_fr")


def _named_people(session: Session) -> list:
    """The members the record names: the chair, and who attended or was represented, and by whom."""
    people = [session.chair]
    for attendance in session.attendances.all():
        people += [attendance.member, attendance.proxy]
    return [person for person in people if person is not None]


def facts_at_signature(session: Session) -> dict:
    """What the record shows that lives outside it, as it is now: kept with the signed minutes."""
    return {
        "people": {
            str(person.pk): {field: getattr(person, field) for field in NAME_FIELDS}
            for person in _named_people(session)
        },
        "quorum": dataclasses.asdict(session.quorum()),
    }


def show_as_signed(session: Session, minutes: Minutes) -> Quorum:
    """Give the people of `session` (as fetched, in memory only) the names and titles `minutes` were signed
    with, and return the quorum as signed: a page then shows what the signed PDF says, even if a member's
    row or the board's seats were edited since."""
    for person in _named_people(session):
        for field, value in minutes.as_signed.get("people", {}).get(str(person.pk), {}).items():
            setattr(person, field, value)
    quorum = minutes.as_signed.get("quorum")
    return Quorum(**quorum) if quorum else session.quorum()


def session_record(session: Session) -> dict:
    """The facts the minutes show, as plain data: the JSON attached to the PDF."""
    quorum = session.quorum()
    seats = {seat.member_id: seat for seat in session.board.memberships.valid_on(session.date)}
    return {
        "board": {"name_ar": session.board.name_ar, "name_fr": session.board.name_fr},
        "session": {
            "year": session.year,
            "ordinal": session.ordinal,
            "kind": session.kind,
            "title": session.title,
            "date": session.date.isoformat(),
            "start_time": session.start_time.isoformat("minutes") if session.start_time else None,
            "end_time": session.end_time.isoformat("minutes") if session.end_time else None,
            "place": session.place,
            "chair": session.chair.name_ar if session.chair else None,
            "opening": session.opening,
        },
        "quorum": {
            "voting_members": quorum.voting_members,
            "present": quorum.present,
            "represented": quorum.represented,
            "required": quorum.required,
            "reached": quorum.reached,
        },
        "attendance": [
            {
                "name": a.member.name_ar,
                "title": a.member.title_ar,
                "role": seats[a.member_id].role if a.member_id in seats else None,
                "status": a.status,
                "proxy": a.proxy.name_ar if a.proxy else None,
            }
            for a in session.attendances.all()
        ],
        "agenda": [
            {
                "position": item.position,
                "title": item.title,
                "presenter": item.presenter,
                "summary": item.summary,
                "deliberation": item.deliberation,
            }
            for item in session.agenda_items.all()
        ],
        "resolutions": [
            {
                "number": r.number,
                "agenda_item": r.agenda_item.position if r.agenda_item else None,
                "title": r.title,
                "text": r.text,
                "unanimous": r.unanimous,
                "votes": {"for": r.votes_for, "against": r.votes_against, "abstain": r.votes_abstain},
                "outcome": r.outcome,
                "responsible_unit": r.responsible_unit,
                "due_date": r.due_date.isoformat() if r.due_date else None,
            }
            for r in session.resolutions.all()
        ],
        # Sorted here, not by the model's default order: what is hashed must not move with a Meta change.
        "follow_ups": [
            {"resolution": f.resolution.number, "status": f.status, "note": f.note}
            for f in sorted(session.follow_ups.all(), key=lambda f: f.resolution.number_parts)
        ],
    }


def record_fingerprint(session: Session) -> str:
    """A hash of everything the minutes show: approvals are given to one fingerprint of the record."""
    record = json.dumps(session_record(session), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(record.encode()).hexdigest()


def qr_code_svg(url: str) -> str:
    """The verification URL as a QR code, an SVG data URI (vector: sharp at any print size)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def minutes_title(session: Session) -> str:
    """«محضر اجتماع الدورة الثانية للمجلس الإداري لمؤسسة التعاون الوطني برسم سنة 2025»."""
    with translation.override("ar"):
        session_title = session.title
    prefix, _, year = session_title.partition(" برسم ")
    board = session.board.name_ar
    # «ل» + «المجلس» is written «للمجلس».
    board = "ل" + board[1:] if board.startswith("ال") else "ل" + board
    return f"محضر اجتماع {prefix} {board} برسم {year}"


def minutes_context(
    session: Session,
    record: dict,
    *,
    draft: bool,
    minutes: Minutes | None = None,
    approvals: dict[str, Approval] | None = None,
) -> dict:
    seats = {seat.member_id: seat for seat in session.board.memberships.valid_on(session.date)}
    by_role = {seat.role: seat.member for seat in seats.values()}
    return {
        "session": session,
        "record": record,
        "draft": draft,
        "title": minutes_title(session),
        "weekday_date": moroccan_date(session.date, "ar", weekday=True),
        "institution": settings.INSTITUTION,
        "logo": Path(settings.INSTITUTION_LOGO).as_uri() if settings.INSTITUTION_LOGO else None,
        "quorum": session.quorum(),
        "attendance": [
            {
                "attendance": a,
                "invited": getattr(seats.get(a.member_id), "role", None) == Membership.Role.INVITED,
            }
            for a in session.attendances.all()
        ],
        "signatories": [
            (Approval.Role.PRESIDENT, "رئيس المجلس الإداري", by_role.get(Membership.Role.PRESIDENT)),
            (Approval.Role.RAPPORTEUR, "مقرر المجلس الإداري", by_role.get(Membership.Role.RAPPORTEUR)),
        ],
        "minutes": minutes,
        "approvals": approvals or {},
        "verification_url": f"{settings.SITE_URL}{minutes.get_absolute_url()}" if minutes else None,
        "qr_code": qr_code_svg(f"{settings.SITE_URL}{minutes.get_absolute_url()}") if minutes else None,
    }


def render_minutes_pdf(
    session: Session,
    *,
    draft: bool = False,
    record: dict | None = None,
    minutes: Minutes | None = None,
    approvals: dict[str, Approval] | None = None,
) -> bytes:
    """Print the minutes of one session (fetched with `minutes_queryset()`) as a PDF/A-3b.

    For signature, `minutes` is the version being signed (its number and verification QR code are
    printed) and `approvals` the president's and rapporteur's, printed in the signature block.
    """
    from weasyprint import CSS, HTML, Attachment  # heavy import, only where a PDF is made
    from weasyprint.text.fonts import FontConfiguration

    record = record if record is not None else session_record(session)
    with translation.override("ar"):
        context = minutes_context(session, record, draft=draft, minutes=minutes, approvals=approvals)
        html = render_to_string(TEMPLATE, context)
    attachment = Attachment(
        string=json.dumps(record, ensure_ascii=False, indent=2),
        name=ATTACHMENT_NAME,
        description="Session record (board, attendance, agenda, resolutions, votes)",
        relationship="Data",
    )
    fonts = FontConfiguration()  # the stylesheet's @font-face rules register here
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET), font_config=fonts)],
        font_config=fonts,
        pdf_variant="pdf/a-3b",
        attachments=[attachment],
    )


def inline_disposition(session: Session, *, version: int | None = None, draft: bool = False) -> str:
    """«محضر-الدورة-2-2025-الصيغة-1.pdf», sent RFC 5987-encoded, with an ASCII name for older clients."""
    arabic = f"محضر-الدورة-{session.ordinal}-{session.year}"
    ascii_name = f"minutes-{session.year}-{session.ordinal}"
    if version is not None:
        arabic, ascii_name = f"{arabic}-الصيغة-{version}", f"{ascii_name}-v{version}"
    if draft:
        arabic, ascii_name = f"مسودة-{arabic}", f"draft-{ascii_name}"
    return f"inline; filename=\"{ascii_name}.pdf\"; filename*=UTF-8''{quote(arabic + '.pdf')}"


def pdf_response(pdf: bytes, session: Session, *, draft: bool = False) -> HttpResponse:
    """A freshly rendered PDF (the secretariat's draft preview)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = inline_disposition(session, draft=draft)
    return response
