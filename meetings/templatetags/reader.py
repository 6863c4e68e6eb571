"""The record's texts in the reader's language (meetings.text.languages), made safe to lay out (bidi)."""

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import SafeString

from ..text.languages import block_html, inline_html, reader_text
from .bidi import bidi_safe

register = template.Library()


@register.filter
def in_reader_language(row: object, field: str) -> SafeString:
    """{{ item|in_reader_language:"title" }}: a short text, in French for a French reader when it was
    entered in French, else the Arabic original said to be so."""
    found = reader_text(row, field)
    return inline_html(found, bidi_safe(found.text))


@register.filter
def plain_in_reader_language(row: object, field: str) -> str:
    """{{ item|plain_in_reader_language:"title" }}: the same text, plain (a message's text part, where
    nothing is marked up and the French reader's Arabic original goes as it is)."""
    return reader_text(row, field).text


@register.simple_tag
def paragraphs_in_reader_language(row: object, field: str, css_class: str = "") -> SafeString:
    """{% paragraphs_in_reader_language resolution "text" "card-text" %}: a long text as paragraphs."""
    found = reader_text(row, field)
    return block_html(found, linebreaks_filter(bidi_safe(found.text)), css_class)
