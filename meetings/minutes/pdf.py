"""The minutes (محضر) of a session as an archival PDF: an HTML template printed by WeasyPrint.

The PDF is a PDF/A-3a and a PDF/UA-1 in Arabic, tagged for assistive technology (WeasyPrint's structure
tree, completed here: `_accessible`), with the session's record attached as JSON (`session_record`), so
that a machine can read it without parsing Arabic prose. It is rendered for the secretariat's draft previews,
and once for good at signature (`meetings.minutes.lifecycle.sign`): the public gets that stored, signed
file. This module only renders: what the record is lives in `meetings.models.record`.
"""

import atexit
import datetime
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pydyf
from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from ..models import Approval, Member, Membership, Minutes, Quorum, Session
from ..models.record import record_rules, session_record
from ..qr_code import qr_code_svg
from ..text.dates import moroccan_date
from ..text.grammar import after_li, in_gender, proxies_ar

TEMPLATE = "pdf/minutes.html"
STYLESHEET = Path(settings.BASE_DIR) / "static" / "pdf" / "minutes.css"
ATTACHMENT_NAME = "session.json"

logger = logging.getLogger(__name__)


def minutes_title(session: Session) -> str:
    """«محضر اجتماع الدورة الثانية للمجلس الإداري لمؤسسة التعاون الوطني برسم سنة 2025»; «محضر الاستشارة
    الكتابية الأولى …» for a written consultation, which is no meeting."""
    with translation.override("ar"):
        session_title = session.title
    prefix, _, year = session_title.partition(" برسم ")
    what = "محضر" if session.kind == Session.Kind.WRITTEN else "محضر اجتماع"
    return f"{what} {prefix} {after_li(session.board.name_ar)} برسم {year}"


# What adopts a written consultation's draft, as the minutes cite the board's rule (Board.WrittenMajority).
WRITTEN_MAJORITIES = {
    "cast": "أغلبية الأصوات المعبر عنها",
    "members": "موافقة أكثر من نصف الأعضاء ذوي الحق في التصويت",
    "two_thirds": "موافقة ثلثي الأعضاء ذوي الحق في التصويت",
    "unanimity": "موافقة جميع الأعضاء ذوي الحق في التصويت",
}
WRITTEN_ANSWERS = {"for": "موافق", "against": "معارض", "abstain": "ممتنع"}


def _written_context(record: dict) -> dict:
    """A written consultation's facts as its minutes say them: when it was put to the members and closed,
    the rule that decides, and each voting member's answer."""
    facts = record.get("written")
    if not facts:
        return {}
    when = {
        name: timezone.localtime(datetime.datetime.fromisoformat(facts[name])) if facts.get(name) else None
        for name in ("submitted_at", "closes_at", "closed_at")
    }
    answers = {vote["member"]["name_ar"]: WRITTEN_ANSWERS[vote["choice"]] for vote in facts["votes"]}
    return {
        "written": {
            **when,
            "majority": WRITTEN_MAJORITIES[facts["majority"]],
            "answers": [
                (row, answers.get(row["name"], "لم يجب"))
                for row in record["attendance"]
                if row["role"] != Membership.Role.INVITED
            ],
        }
    }


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
        "rules": record_rules(record),
        **_written_context(record),
        "proxies": proxies_ar(record_rules(record).get("max_proxies", 0)),
        "attendance": [
            {
                "attendance": a,
                "invited": getattr(seats.get(a.member_id), "role", None) == Membership.Role.INVITED,
            }
            for a in session.attendances.all()
        ],
        "signatories": [
            (role, _signatory_title(role, by_role.get(role)), by_role.get(role))
            for role in record_rules(record)["signed_by"]
        ],
        "minutes": minutes,
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
    """WeasyPrint's PDF/A-3 writer lists each attachment twice in the catalog's /AF (once from the
    embedded files' names, once as a file specification); veraPDF and PDF/A want it once."""
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


# PDF/UA-1's identification (ISO 14289-1, 5), beside WeasyPrint's PDF/A one: WeasyPrint writes one variant's
# only. PDF/A-3 accepts a property outside its predefined schemas once an extension schema describes it.
PDF_UA_IDENTIFICATION = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
 pdfuaid:part="1"/>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


def _identify_pdf_ua(pdf) -> None:
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    packet = b"".join(metadata.stream)
    assert packet.count(b"</rdf:RDF>") == 1, "WeasyPrint's XMP packet has one rdf:RDF"
    metadata.stream = [packet.replace(b"</rdf:RDF>", PDF_UA_IDENTIFICATION + b"</rdf:RDF>")]


class _StructureTree:
    """WeasyPrint's structure tree as a finisher finds it (pydyf dictionaries), for `_accessible`."""

    def __init__(self, pdf) -> None:
        self.pdf = pdf
        self.elements = [o for o in pdf.objects if isinstance(o, dict) and o.get("Type") == "/StructElem"]
        root = self.get(pdf.catalog["StructTreeRoot"])
        self.parent_tree = self.get(root["ParentTree"])["Nums"]
        # The elements WeasyPrint made for the runs of text of each page (a Span holding one marked-content
        # id), in the order it made them: the order of the text boxes in the page's box tree.
        self.runs: dict[bytes, list] = defaultdict(list)
        for e in self.elements:
            if e["S"] == "/Span" and len(e["K"]) == 1 and isinstance(e["K"][0], int):
                self.runs[e["Pg"]].append(e)

    def get(self, reference: bytes):
        return self.pdf.objects[int(reference.split()[0])]

    def remove(self, element) -> None:
        """Take an element out of the tree, and its parents left empty with it."""
        parent = self.get(element["P"])
        if element.reference in parent["K"]:
            parent["K"].remove(element.reference)
            if not parent["K"] and parent.get("S") != "/Document":
                self.remove(parent)


def _text_boxes(page) -> list[tuple]:
    """(text box, artifact subtype or None) for each text box of a WeasyPrint page, depth first: the order
    in which weasyprint.pdf.tags (WeasyPrint 70) makes their runs. The running header and footer (the page's
    margin boxes) and what is aria-hidden (the draft's watermark) are artifacts, not content."""
    from weasyprint.formatting_structure import boxes  # heavy import, only where a PDF is made
    from weasyprint.layout.absolute import AbsolutePlaceholder

    found: list[tuple] = []

    def walk(box, hidden: bool, margin: str | None) -> None:
        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        if isinstance(box, boxes.MarginBox):
            margin = "/Header" if box.at_keyword.startswith("@top") else "/Footer"
        hidden = hidden or (box.element is not None and box.element.get("aria-hidden") == "true")
        if isinstance(box, boxes.TextBox):
            found.append((box, margin or ("/Watermark" if hidden else None)))
        elif isinstance(box, boxes.ParentBox):
            for child in box.children:
                walk(child, hidden, margin)

    walk(page._page_box, False, None)  # the page's boxes, as weasyprint.pdf.tags reads them
    return found


def _as_artifacts(tree: _StructureTree, page: int, artifacts: dict[int, str]) -> None:
    """Turn marked-content sequences of a page, by id, into pagination artifacts of the given subtype: in
    the page's content stream (`/Span <</MCID n>> BDC` becomes `/Artifact <</Type /Pagination …>> BDC`),
    in the parent tree (no element), in the structure tree (no run)."""
    stream = tree.get(tree.get(tree.pdf.page_references[page])["Contents"]).stream
    numbers = tree.parent_tree[2 * page + 1]
    for index, item in enumerate(stream):
        if isinstance(item, dict) and item.get("MCID") in artifacts and stream[index - 1] == "/Span":
            mcid = item["MCID"]
            stream[index - 1 : index + 1] = [
                "/Artifact",
                pydyf.Dictionary({"Type": "/Pagination", "Subtype": artifacts[mcid]}),
            ]
            tree.remove(tree.get(numbers[mcid]))
            numbers[mcid] = "null"


def _pair_row_headers(tree: _StructureTree) -> None:
    """A header cell in a row of data cells (the vote of a resolution: التصويت, النتيجة) heads the cells
    after it up to the next one, not the whole row as WeasyPrint reads `scope="row"`; every header cell
    says its scope, which PDF/UA asks of cells no /Headers links to.

    WeasyPrint names the header cells (/ID «table-row-column») of the rows it lays out as a table; a row
    laid out as a line of text (a vote of one row: minutes.css, .vote-line) keeps its tags, unnamed: its
    header cells are named here after their own object, which no other element shares."""
    for row in (e for e in tree.elements if e["S"] == "/TR"):
        cells = [tree.get(kid) for kid in row["K"]]
        for cell in cells:
            if cell["S"] == "/TH" and "ID" not in cell:
                cell["ID"] = pydyf.String(f"th-{cell.number}")
        row_headers = (
            {c.get("ID") for c in cells if c["S"] == "/TH"} if any(c["S"] == "/TD" for c in cells) else set()
        )
        header = None
        for cell in cells:
            if cell["S"] == "/TH":
                cell["A"]["Scope"] = "/Row" if row_headers else "/Column"
                header = cell.get("ID")
            elif row_headers:
                others = [h for h in cell["A"].get("Headers", ()) if h not in row_headers]
                cell["A"]["Headers"] = pydyf.Array(others + ([header] if header else []))


def _accessible(document, pdf) -> None:
    """Completes WeasyPrint's tagging where it stops: the language of each run of text that is not the
    document's (a French passage, `lang="fr"`), artifacts for the running header and footer and for what is
    aria-hidden (WeasyPrint leaves the margin boxes' text marked but outside the tree, as PDF 1.7 has no
    artifact element), and row headers."""
    tree = _StructureTree(pdf)
    language = document.metadata.lang
    for page_number, page in enumerate(document.pages):
        texts, runs = _text_boxes(page), tree.runs[pdf.page_references[page_number]]
        if len(texts) != len(runs):  # not the tree this reading of WeasyPrint 70 expects: leave it as is
            logger.warning("Page %d: %d text boxes, %d tagged runs", page_number + 1, len(texts), len(runs))
            continue
        artifacts = {}
        for (text, artifact), run in zip(texts, runs, strict=True):
            if artifact:
                artifacts[run["K"][0]] = artifact
            else:
                run["ActualText"] = pydyf.String(text.text)
                if text.style["lang"] and text.style["lang"] != language:
                    run["Lang"] = pydyf.String(text.style["lang"])
        _as_artifacts(tree, page_number, artifacts)
    _pair_row_headers(tree)


def _finish(document, pdf) -> None:
    """WeasyPrint's finisher, called with the PDF's objects before they are written."""
    _each_attachment_once(document, pdf)
    _identify_pdf_ua(pdf)
    _accessible(document, pdf)
    _without_object_streams(pdf)


def _without_object_streams(pdf) -> None:
    """The objects written one by one with a cross-reference table, not packed in an object stream (the
    streams' contents stay compressed). pyHanko, which signs the file and checks every copy /verify/ is
    given, reads an object of an object stream by parsing the stream's header up to it: the thousands of
    objects of a tagged structure tree then cost it a quadratic time (the large session's sealed file took
    /verify/ past its 20 s), where a cross-reference table takes it straight to each."""
    write = pdf.write
    pdf.write = lambda output, version, identifier, compress: write(output, version, identifier, False)


_kept = threading.local()
# Let go of this thread's before the interpreter's shutdown: WeasyPrint's FontConfiguration deletes its
# folder of fonts when collected, with functions the shutdown may already have taken away.
atexit.register(lambda: vars(_kept).clear())


def _stylesheet() -> tuple:
    """The stylesheet, parsed, and the FontConfiguration its @font-face rules registered in: made once per
    thread (Pango's font map is not to be shared between threads) and kept until the file changes. Made
    anew for each rendering, they cost more than parsing: every rendering then starts with Pango's and
    fontconfig's caches empty (the demo's minutes took a tenth longer)."""
    from weasyprint import CSS  # heavy import, only where a PDF is made
    from weasyprint.text.fonts import FontConfiguration

    changed = STYLESHEET.stat().st_mtime_ns
    kept = getattr(_kept, "stylesheet", None)
    if kept is None or kept[0] != changed:
        fonts = FontConfiguration()  # the stylesheet's @font-face rules register here
        kept = _kept.stylesheet = (changed, CSS(filename=str(STYLESHEET), font_config=fonts), fonts)
    return kept[1], kept[2]


def render_minutes_pdf(
    session: Session,
    *,
    draft: bool = False,
    record: dict | None = None,
    minutes: Minutes | None = None,
    on_page: Callable[[int], None] | None = None,
) -> bytes:
    """Print the minutes of one session (fetched with `Session.objects.with_record()`) as a tagged PDF/A-3a
    and PDF/UA-1; `record` is its `session_record`, when the caller has it already.

    For signature, `minutes` is the version to be signed (its number and verification QR code are
    printed, and the signature block says that the president and the rapporteur sign it electronically:
    their own signatures, then the seal, are appended to these bytes: meetings.minutes.lifecycle).
    `on_page` hears the number of each page as it is laid out; past settings.MINUTES_MAX_PAGES the
    rendering stops with TooManyPages.
    """
    from weasyprint import HTML, Attachment  # heavy import, only where a PDF is made

    record = record if record is not None else session_record(session)
    with translation.override("ar"):
        context = minutes_context(session, record, draft=draft, minutes=minutes)
        html = render_to_string(TEMPLATE, context)
    attachment = Attachment(
        string=json.dumps(record, ensure_ascii=False, indent=2),
        name=ATTACHMENT_NAME,
        description="Session record (board, attendance, agenda, resolutions, votes)",
        relationship="Data",
    )
    stylesheet, fonts = _stylesheet()
    with _counting_pages(on_page):
        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
            stylesheets=[stylesheet],
            font_config=fonts,
            pdf_variant="pdf/a-3a",  # tagged: WeasyPrint writes the structure tree (pdf_tags)
            attachments=[attachment],
            finisher=_finish,
        )


def render_answer_pdf(session: Session, member: Member, choice: str, at: datetime.datetime) -> bytes:
    """A member's answer to a written consultation, on a page of its own for them to sign (PDF/A-3a)."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    context = {
        "session": session,
        "member": member,
        "answer": WRITTEN_ANSWERS[choice],
        "at": timezone.localtime(at),
        "institution": settings.INSTITUTION,
    }
    with translation.override("ar"):
        html = render_to_string("pdf/written_answer.html", context)
    stylesheet, fonts = _stylesheet()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/a-3a", finisher=_finish
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
