"""The minutes (محضر) of a session as an archival PDF: an HTML template printed by WeasyPrint.

The PDF is a PDF/A-3b in Arabic with the session's facts attached as JSON, so that a machine can read
the record without parsing Arabic prose. Rendering takes a second or so; a rendered file is kept under
MEDIA_ROOT, keyed by a hash of everything the document shows, so that an unchanged session is never
rendered twice (`cached_minutes_pdf`).
"""

import functools
import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from .dates import moroccan_date
from .models import Attendance, Membership, Session

TEMPLATE = "pdf/minutes.html"
STYLESHEET = Path(settings.BASE_DIR) / "static" / "pdf" / "minutes.css"
ATTACHMENT_NAME = "session.json"
TEMPLATE_FILE = Path(settings.BASE_DIR) / "templates" / TEMPLATE


@functools.cache
def layout_fingerprint() -> str:
    """Changes whenever the print template or stylesheet does, so stored renderings follow a new layout."""
    return hashlib.sha256(TEMPLATE_FILE.read_bytes() + STYLESHEET.read_bytes()).hexdigest()


def minutes_queryset():
    """Sessions with everything the minutes show, in a fixed number of queries."""
    return Session.objects.select_related("board", "chair").prefetch_related(
        Prefetch("attendances", Attendance.objects.select_related("member", "proxy")),
        "agenda_items",
        # Spelled as strings: meetings never imports decisions.
        "resolutions__agenda_item",
        "follow_ups__resolution__session",
    )


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
        "follow_ups": [
            {"resolution": f.resolution.number, "status": f.status, "note": f.note}
            for f in session.follow_ups.all()
        ],
    }


def minutes_title(session: Session) -> str:
    """«محضر اجتماع الدورة الثانية للمجلس الإداري لمؤسسة التعاون الوطني برسم سنة 2025»."""
    with translation.override("ar"):
        session_title = session.title
    prefix, _, year = session_title.partition(" برسم ")
    board = session.board.name_ar
    # «ل» + «المجلس» is written «للمجلس».
    board = "ل" + board[1:] if board.startswith("ال") else "ل" + board
    return f"محضر اجتماع {prefix} {board} برسم {year}"


def minutes_context(session: Session, record: dict, *, draft: bool) -> dict:
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
        "president": by_role.get(Membership.Role.PRESIDENT),
        "rapporteur": by_role.get(Membership.Role.RAPPORTEUR),
    }


def render_minutes_pdf(session: Session, *, draft: bool = False, record: dict | None = None) -> bytes:
    """Print the minutes of one session (fetched with `minutes_queryset()`) as a PDF/A-3b."""
    from weasyprint import CSS, HTML, Attachment  # heavy import, only where a PDF is made
    from weasyprint.text.fonts import FontConfiguration

    record = record if record is not None else session_record(session)
    with translation.override("ar"):
        html = render_to_string(TEMPLATE, minutes_context(session, record, draft=draft))
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


def cached_minutes_pdf(session: Session) -> bytes:
    """The published minutes, rendered once per distinct content and layout, then read from storage."""
    record = session_record(session)
    key = hashlib.sha256(
        json.dumps([layout_fingerprint(), record], ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()[:32]
    path = f"minutes/rendered/{session.pk}-{key}.pdf"
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as stored:
            return stored.read()
    pdf = render_minutes_pdf(session, record=record)
    default_storage.save(path, ContentFile(pdf))
    return pdf


def pdf_response(pdf: bytes, session: Session, *, draft: bool = False) -> HttpResponse:
    """The PDF inline, named «محضر-الدورة-2-2025.pdf» (RFC 5987) with an ASCII name for older clients."""
    arabic = f"{'مسودة-' if draft else ''}محضر-الدورة-{session.ordinal}-{session.year}.pdf"
    ascii_name = f"{'draft-' if draft else ''}minutes-{session.year}-{session.ordinal}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(arabic)}"
    return response
