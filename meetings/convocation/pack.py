"""The board pack (ملف الدورة) as one PDF to download: the convocation as its cover (the board, the session,
its date, time and place, its agenda), then the session's documents in the agenda's order, then those tied
to no item.

The cover is an HTML template printed by WeasyPrint, in the reader's language (as the convocation's
message); the documents are joined as they were stored, never re-rendered (pypdf). A stored document is
untrusted input: one that cannot be read whole (damaged, not a PDF, locked with a password, missing from
the storage) is left out and the cover says so, rather than the pack failing for everyone.
"""

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from ..models import Document, Session
from ..text.dates import moroccan_date
from ..text.languages import reader_text

TEMPLATE = "pdf/board_pack_cover.html"
STYLESHEET = Path(settings.BASE_DIR) / "static" / "pdf" / "board-pack.css"

logger = logging.getLogger(__name__)


@dataclass
class Enclosure:
    """One of the session's documents as the pack holds it: its pages from `first_page` on (counted from
    the cover's first, as a reader turns them), or nothing when its file could not be read."""

    document: Document
    pdf: bytes | None
    pages: int = 0
    first_page: int = 0

    @property
    def included(self) -> bool:
        return self.pdf is not None


def in_agenda_order(documents: list[Document]) -> list[Document]:
    """The documents of the agenda's items in its order, then the others; by title within each."""
    return sorted(
        documents,
        key=lambda d: (d.agenda_item is None, d.agenda_item.position if d.agenda_item else 0, d.title, d.pk),
    )


def _readable(document: Document) -> Enclosure:
    """The document's pages, read and written out whole once here, so that a damaged file is found before
    the pack is put together, not halfway through it."""
    try:
        with document.file.open("rb") as stored:
            reader = PdfReader(io.BytesIO(stored.read()))
            if reader.is_encrypted:
                reader.decrypt("")  # opens a file locked for editing only; a password to read it fails below
            part = PdfWriter()
            part.append(reader, import_outline=False)
            written = io.BytesIO()
            part.write(written)
    # pypdf raises many kinds of exceptions on a damaged file (its own, but also KeyError, TypeError,
    # zlib's...): whichever it is, this one document is left out, and the log says which and why.
    except Exception:
        logger.warning(
            "Board pack: document %s (%s) left out", document.pk, document.file.name, exc_info=True
        )
        return Enclosure(document, None)
    if not part.pages:
        return Enclosure(document, None)
    return Enclosure(document, written.getvalue(), pages=len(part.pages))


def _number(enclosures: list[Enclosure], cover_pages: int) -> None:
    page = cover_pages + 1
    for enclosure in enclosures:
        if enclosure.included:
            enclosure.first_page, page = page, page + enclosure.pages


def _cover(session: Session, enclosures: list[Enclosure]) -> bytes:
    from weasyprint import CSS, HTML  # heavy import, only where a PDF is made
    from weasyprint.text.fonts import FontConfiguration

    by_item: dict[int, list[Enclosure]] = {}
    for enclosure in enclosures:
        if enclosure.document.agenda_item_id is not None:
            by_item.setdefault(enclosure.document.agenda_item_id, []).append(enclosure)
    items = list(session.agenda_items.all())
    listed = {item.pk for item in items}
    context = {
        "session": session,
        "weekday_date": moroccan_date(session.date, weekday=True),
        "institution": settings.INSTITUTION,
        "logo": Path(settings.INSTITUTION_LOGO).as_uri() if settings.INSTITUTION_LOGO else None,
        "items": [(item, by_item.get(item.pk, [])) for item in items],
        # Tied to no item, or to an item of another agenda (a row moved by hand): after the agenda's.
        "others": [e for e in enclosures if e.document.agenda_item_id not in listed],
        "left_out": [e for e in enclosures if not e.included],
        "language": get_language(),
        "rtl": get_language_bidi(),
    }
    fonts = FontConfiguration()  # the stylesheet's @font-face rules register here
    html = HTML(string=render_to_string(TEMPLATE, context), base_url=str(settings.BASE_DIR))
    return html.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET), font_config=fonts)], font_config=fonts)


def _page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def board_pack(session: Session) -> bytes:
    """The pack of one session, its documents prefetched with their agenda items (`session.documents`)."""
    enclosures = [_readable(document) for document in in_agenda_order(list(session.documents.all()))]
    # The cover gives the page where each document starts, which depends on the cover's own length: laid
    # out again in the rare case where a long agenda makes it longer than the pages it was numbered for.
    cover_pages, cover = 1, b""
    for _attempt in range(3):
        _number(enclosures, cover_pages)
        cover = _cover(session, enclosures)
        if _page_count(cover) == cover_pages:
            break
        cover_pages = _page_count(cover)
    pack = PdfWriter()
    pack.append(PdfReader(io.BytesIO(cover)), outline_item=_("Convocation"), import_outline=False)
    for enclosure in enclosures:
        if enclosure.pdf is not None:
            # The reader's viewer lists each document by its title (the PDF's bookmarks).
            pack.append(
                PdfReader(io.BytesIO(enclosure.pdf)),
                outline_item=reader_text(enclosure.document, "title").text,
                import_outline=False,
            )
    pack.add_metadata({"/Title": _("Board pack: %(session)s") % {"session": session.title}})
    pack.root_object[NameObject("/Lang")] = TextStringObject(get_language())
    written = io.BytesIO()
    pack.write(written)
    return written.getvalue()


def pack_response(session: Session) -> HttpResponse:
    """The pack as a download: «ملف-الدورة-2-2025.pdf» (in the reader's language), with an ASCII name for
    older clients."""
    response = HttpResponse(board_pack(session), content_type="application/pdf")
    name = "{}-{}-{}.pdf".format(_("board-pack"), session.ordinal, session.year)
    ascii_name = f"board-pack-{session.year}-{session.ordinal}.pdf"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response
