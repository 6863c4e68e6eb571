from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..text.bidi import base_direction, ltr_runs, without_bidi_controls

register = template.Library()


@register.filter(is_safe=True)
def bidi_safe(value: object) -> SafeString:
    """{{ field|bidi_safe }}: escaped, with figures and Latin in Arabic text isolated in <bdi dir="ltr">
    so that «2026-11-29» keeps its order, and without bidi controls (meetings.text.bidi)."""
    text = without_bidi_controls(str(value)) if value else ""
    return format_html_join(
        "",
        "{}",
        (
            (format_html('<bdi dir="ltr">{}</bdi>', piece) if isolate else piece,)
            for piece, isolate in ltr_runs(text)
        ),
    )


@register.filter
def direction(value: object) -> str:
    """dir="{{ field|direction }}": WeasyPrint has no dir="auto", so a French paragraph is set LTR here."""
    return base_direction(str(value or ""))
