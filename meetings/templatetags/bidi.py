from django import template

from ..text import base_direction, close_bidi_controls

register = template.Library()


@register.filter
def bidi_safe(value: object) -> str:
    """{{ field|bidi_safe }}: a lone U+202E or U+2066 in one field cannot flip the text after it."""
    return close_bidi_controls(str(value)) if value else ""


@register.filter
def direction(value: object) -> str:
    """dir="{{ field|direction }}": WeasyPrint has no dir="auto", so a French paragraph is set LTR here."""
    return base_direction(str(value or ""))
