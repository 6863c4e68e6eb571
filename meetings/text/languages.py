"""The texts of the record in the reader's language.

The record is written in Arabic. The texts the public reads most (the session's place and opening, the
agenda items' titles, presenters, summaries and deliberations, the documents' titles, the resolutions'
titles, texts and responsible units, the follow-ups' notes) may also be entered in French, in a `<field>_fr` beside the Arabic `<field>`. A French reader gets the French text where one was
entered, and otherwise the Arabic original, marked as such (`ReaderText.only_arabic`) so that the page can
say so and set it right to left, in Arabic (`lang="ar" dir="rtl"`). An Arabic reader always gets the
Arabic: it is the original, the one that was signed.
"""

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from .bidi import base_direction


def reads_french() -> bool:
    return (get_language() or "").startswith("fr")


@dataclass(frozen=True)
class ReaderText:
    text: str
    language: str  # "ar" or "fr": what the text is written in
    only_arabic: bool  # a French reader is given the Arabic original, there being no French version


def reader_text(row: object, field: str) -> ReaderText:
    """`row.<field>` for the reader: its French version (`<field>_fr`) in French when there is one. A row
    that names its Arabic `<field>_ar` (a member's title) is read from that one."""
    arabic = getattr(row, f"{field}_ar", None) if hasattr(row, f"{field}_ar") else getattr(row, field)
    arabic = arabic or ""
    if not reads_french():
        return ReaderText(arabic, "ar", only_arabic=False)
    french = getattr(row, f"{field}_fr", "") or ""
    if french:
        return ReaderText(french, "fr", only_arabic=False)
    # A text typed in Latin letters (a name, an acronym) reads the same in French: nothing to flag.
    only_arabic = bool(arabic) and base_direction(arabic) == "rtl"
    return ReaderText(arabic, "ar" if only_arabic else "fr", only_arabic=only_arabic)


def only_arabic_note() -> str:
    return gettext("This text exists only in Arabic.")


def inline_html(found: ReaderText, html: SafeString) -> SafeString:
    """A short text (a title, a place) as `html`, isolated; when it is the Arabic original given to a
    French reader, set in Arabic and followed by «(en arabe)»."""
    if found.only_arabic:
        return format_html(
            '<bdi lang="ar" dir="rtl">{}</bdi> <span class="only-arabic">({})</span>',
            html,
            gettext("in Arabic"),
        )
    return format_html("<bdi>{}</bdi>", html)


def block_html(found: ReaderText, html: SafeString, css_class: str = "") -> SafeString:
    """Paragraphs (`html`) in a <div>; when they are the Arabic original given to a French reader, set in
    Arabic, after a line that says so."""
    if found.only_arabic:
        return format_html(
            '<p class="only-arabic">{}</p><div class="{}" lang="ar" dir="rtl">{}</div>',
            only_arabic_note(),
            css_class,
            html,
        )
    return format_html('<div class="{}" dir="auto">{}</div>', css_class, html)
