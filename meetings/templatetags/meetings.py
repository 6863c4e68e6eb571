import datetime

from django import template
from django.urls import translate_url
from django.utils import timezone
from django.utils.translation import get_language

from ..convocation import awaiting
from ..text import grammar
from ..text.dates import moroccan_date as _moroccan_date

register = template.Library()


@register.filter
def moroccan_date(value: datetime.date | datetime.datetime | None) -> str:
    """{{ session.date|moroccan_date }} → «18 دجنبر 2025» (or «18 décembre 2025» in French).

    A moment (an approval's time) is dated where the board sits: Africa/Casablanca."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return _moroccan_date(value) if value else ""


@register.filter
def of_name(name: str) -> str:
    """{{ board.name|of_name }}: in Arabic, the name as it follows «ل» (of), as one word with it
    («للمجلس الإداري…», meetings.text.grammar.after_li); in French, the name as it is (its sentence says
    «du»)."""
    return grammar.after_li(name) if get_language() == "ar" else name


@register.simple_tag
def greeting(member) -> str:
    """{% greeting member %}: «السيد … المحترم،», «Madame,» (meetings.text.grammar.greeting)."""
    return grammar.greeting(member.name, member.gender)


@register.filter
def get_item(mapping: dict, key: str):
    """{{ approvals|get_item:role }}: a dictionary entry whose key is in a variable."""
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def url_in_language(context: template.Context, language: str) -> str:
    """This page's address in another language: `/sessions/2025/2/` ↔ `/fr/sessions/2025/2/`."""
    return translate_url(context["request"].get_full_path(), language)


@register.simple_tag
def secretariat_todo() -> dict:
    """{% secretariat_todo as todo %}: what awaits the secretariat
    (meetings.convocation.awaiting.secretariat_todo)."""
    return awaiting.secretariat_todo()
