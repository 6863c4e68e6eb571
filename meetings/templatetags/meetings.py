import datetime

from django import template
from django.urls import translate_url

from ..dates import moroccan_date as _moroccan_date

register = template.Library()


@register.filter
def moroccan_date(value: datetime.date | None) -> str:
    """{{ session.date|moroccan_date }} → «18 دجنبر 2025» (or «18 décembre 2025» in French)."""
    return _moroccan_date(value) if value else ""


@register.simple_tag(takes_context=True)
def url_in_language(context: template.Context, language: str) -> str:
    """This page's address in another language: `/sessions/2025/2/` ↔ `/fr/sessions/2025/2/`."""
    return translate_url(context["request"].get_full_path(), language)
