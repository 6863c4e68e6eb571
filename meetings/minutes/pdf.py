"""The minutes (محضر) of a session as an archival PDF: an HTML template printed by WeasyPrint.

The PDF is a PDF/A-3b in Arabic with the session's record attached as JSON (`session_record`), so that a
machine can read it without parsing Arabic prose. It is rendered for the secretariat's draft previews,
and once for good at signature (`meetings.minutes.lifecycle.sign`): the public gets that stored, signed
file. This module only renders: what the record is lives in `meetings.models.record`.
"""

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pydyf
from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import ngettext

from ..models import Approval, Member, Membership, Minutes, Quorum, Session
from ..models.record import session_record
from ..qr_code import qr_code_svg
from ..text.dates import moroccan_date
from ..text.grammar import after_li, in_gender

TEMPLATE = "pdf/minutes.html"
STYLESHEET = Path(settings.BASE_DIR) / "static" / "pdf" / "minutes.css"
ATTACHMENT_NAME = "session.json"


def minutes_title(session: Session) -> str:
    """«محضر اجتماع الدورة الثانية للمجلس الإداري لمؤسسة التعاون الوطني برسم سنة 2025»."""
    with translation.override("ar"):
        session_title = session.title
    prefix, _, year = session_title.partition(" برسم ")
    return f"محضر اجتماع {prefix} {after_li(session.board.name_ar)} برسم {year}"


# The titles the signature block gives the two approvers, in the feminine for a woman.
SIGNATORY_TITLES: dict[str, tuple[str, str]] = {
    Approval.Role.PRESIDENT: ("رئيس المجلس الإداري", "رئيسة المجلس الإداري"),
    Approval.Role.RAPPORTEUR: ("مقرر المجلس الإداري", "مقررة المجلس الإداري"),
}


def _signatory_title(role: str, person: Member | None) -> str:
    return in_gender(*SIGNATORY_TITLES[role], person.gender if person is not None else None)


def minutes_context(
    session: Session,
    record: dict,
    *,
    draft: bool,
    minutes: Minutes | None = None,
    approvals: dict[str, Approval] | None = None,
) -> dict:
    seats = {seat.member_id: seat for seat in session.seats}
    by_role = {seat.role: seat.member for seat in session.seats}
    return {
        "session": session,
        "record": record,
        "draft": draft,
        "title": minutes_title(session),
        "weekday_date": moroccan_date(session.date, "ar", weekday=True),
        "institution": settings.INSTITUTION,
        "logo": Path(settings.INSTITUTION_LOGO).as_uri() if settings.INSTITUTION_LOGO else None,
        "quorum": Quorum.from_record(record["quorum"]),
        "attendance": [
            {
                "attendance": a,
                "invited": getattr(seats.get(a.member_id), "role", None) == Membership.Role.INVITED,
            }
            for a in session.attendances.all()
        ],
        "signatories": [
            (role, _signatory_title(role, by_role.get(role)), by_role.get(role))
            for role in (Approval.Role.PRESIDENT, Approval.Role.RAPPORTEUR)
        ],
        "minutes": minutes,
        "approvals": approvals or {},
        "verification_url": f"{settings.SITE_URL}{minutes.get_absolute_url()}" if minutes else None,
        "qr_code": qr_code_svg(f"{settings.SITE_URL}{minutes.get_absolute_url()}") if minutes else None,
    }


class TooManyPages(Exception):
    """The minutes would print on more than settings.MINUTES_MAX_PAGES pages: refused, and said so."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit

    @property
    def message(self) -> str:
        return ngettext(
            "The minutes would print on more than %(limit)d page, the most a rendering takes. Shorten the "
            "longest texts (a deliberation, a resolution) or attach them to the session as documents.",
            "The minutes would print on more than %(limit)d pages, the most a rendering takes. Shorten the "
            "longest texts (a deliberation, a resolution) or attach them to the session as documents.",
            self.limit,
        ) % {"limit": self.limit}


class _PageCounter(logging.Handler):
    """Hears WeasyPrint say which page it lays out («Step 5 - Creating layout - Page 12»), in this thread:
    tells `on_page`, and stops the rendering at once past the page limit (an exception raised here goes
    back through WeasyPrint's logging call into its layout)."""

    def __init__(self, on_page: Callable[[int], None] | None, limit: int) -> None:
        super().__init__(logging.INFO)
        self.on_page, self.limit, self.thread = on_page, limit, threading.get_ident()
        self.last = 0

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if record.thread != self.thread or "layout" not in str(record.msg) or not isinstance(args, tuple):
            return
        if not args:
            return
        page = int(str(args[0]))  # «Page %d»
        if page > self.limit:
            raise TooManyPages(self.limit)
        if page > self.last:
            self.last = page
            if self.on_page is not None:
                self.on_page(page)


@contextmanager
def _counting_pages(on_page: Callable[[int], None] | None) -> Iterator[None]:
    logger = logging.getLogger("weasyprint.progress")
    handler, level, propagate = (
        _PageCounter(on_page, settings.MINUTES_MAX_PAGES),
        logger.level,
        logger.propagate,
    )
    logger.addHandler(handler)
    # Heard here, not written to the log: a line per step and per page of every rendering is noise.
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _each_attachment_once(document, pdf) -> None:
    """WeasyPrint's finisher: its PDF/A-3 writer lists each attachment twice in the catalog's /AF (once
    from the embedded files' names, once as a file specification); veraPDF and PDF/A want it once."""
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def render_minutes_pdf(
    session: Session,
    *,
    draft: bool = False,
    record: dict | None = None,
    minutes: Minutes | None = None,
    approvals: dict[str, Approval] | None = None,
    on_page: Callable[[int], None] | None = None,
) -> bytes:
    """Print the minutes of one session (fetched with `Session.objects.with_record()`) as a PDF/A-3b;
    `record` is its `session_record`, when the caller has it already.

    For signature, `minutes` is the version being signed (its number and verification QR code are
    printed) and `approvals` the president's and rapporteur's, printed in the signature block.
    `on_page` hears the number of each page as it is laid out; past settings.MINUTES_MAX_PAGES the
    rendering stops with TooManyPages.
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
    with _counting_pages(on_page):
        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
            stylesheets=[CSS(filename=str(STYLESHEET), font_config=fonts)],
            font_config=fonts,
            pdf_variant="pdf/a-3b",
            attachments=[attachment],
            finisher=_each_attachment_once,
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
