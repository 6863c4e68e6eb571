"""The minutes' texts drafted from the record, in the set phrases of the administration, in Arabic and in
French, for the secretariat to complete.

The minutes already write from the record, in those phrases, the session's preamble (its date, hour,
place and chair), the attendance, the quorum and the board's rules that apply, each item's declarations of
interest and quorum, and the resolutions with their votes (templates/pdf/minutes.html; the pages likewise).
What the record cannot write alone are the narrative texts: the opening and each item's deliberation.
These are drafted here around the facts the record holds (who opened the session and when, who presented
the item, what the board decided on it and by what vote), leaving «[…]» where only the secretariat knows
what was said. Every name, figure and date comes from the record; nothing else is written.

`fill_from_record` writes the drafts into the session's fields that are still empty, never over a text the
secretariat wrote; the secretariat then completes them as any text of the record.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from ..models import AgendaItem, Session
from ..text.grammar import FEMALE
from ..text.ordinals import feminine_ordinal

TO_COMPLETE = "[…]"


@dataclass(frozen=True)
class Draft:
    """The drafted texts of one session: its opening and each item's deliberation, by position."""

    opening: str
    opening_fr: str
    deliberations: dict[int, tuple[str, str]]


def draft(session: Session) -> Draft:
    """The drafts of `session`, loaded with `Session.objects.with_record()`."""
    items = sorted(session.agenda_items.all(), key=lambda item: item.position)
    resolutions = sorted(session.resolutions.all(), key=lambda r: r.sequence)
    return Draft(
        opening=_opening_ar(session),
        opening_fr=_opening_fr(session),
        deliberations={
            item.position: (
                _deliberation_ar(item, [r for r in resolutions if r.agenda_item_id == item.pk]),
                _deliberation_fr(item, [r for r in resolutions if r.agenda_item_id == item.pk]),
            )
            for item in items
        },
    )


@transaction.atomic
def fill_from_record(session: Session) -> list[str]:
    """Write the drafts into the fields of `session` still empty; the labels of those filled. Refused, as
    any change, once the minutes are signed (RecordRow)."""
    session = Session.objects.with_record().select_for_update(of=("self",)).get(pk=session.pk)
    drafted = draft(session)
    filled = []
    if _fill_empty(session, opening=drafted.opening, opening_fr=drafted.opening_fr):
        filled.append(gettext("Opening"))
    for item in session.agenda_items.all():
        arabic, french = drafted.deliberations[item.position]
        if _fill_empty(item, deliberation=arabic, deliberation_fr=french):
            filled.append(f"{item.position}. {item.title}")
    return filled


def _fill_empty(row: Session | AgendaItem, **texts: str) -> bool:
    """Set those of `texts` whose field on `row` is empty, and save them; whether any was."""
    empty = [name for name, text in texts.items() if text and not getattr(row, name)]
    for name in empty:
        setattr(row, name, texts[name])
    if empty:
        row.save(update_fields=empty)
    return bool(empty)


# What the board decided on a resolution, as each language's minutes say it: by outcome, and for one
# adopted, by how its vote was recorded.
DECISIONS = {
    "ar": {
        "deferred": "قرر المجلس تأجيل البت في مشروع القرار رقم {number} المتعلق بـ«{title}».",
        "rejected": "لم يصادق المجلس على مشروع القرار رقم {number} المتعلق بـ«{title}»{counts}.",
        "unanimous": "صادق المجلس بالإجماع على القرار رقم {number} المتعلق بـ«{title}».",
        "counted": "صادق المجلس بأغلبية الأصوات{counts} على القرار رقم {number} المتعلق بـ«{title}».",
        "adopted": "صادق المجلس على القرار رقم {number} المتعلق بـ«{title}».",
    },
    "fr": {
        "deferred": "le conseil a reporté sa décision sur le projet de résolution n°\u00a0{number}, «\u202f{title}\u202f».",
        "rejected": "le conseil n’a pas adopté le projet de résolution n°\u00a0{number}, «\u202f{title}\u202f»{counts}.",
        "unanimous": "le conseil a adopté à l’unanimité la résolution n°\u00a0{number}, «\u202f{title}\u202f».",
        "counted": "le conseil a adopté à la majorité{counts} la résolution n°\u00a0{number}, «\u202f{title}\u202f».",
        "adopted": "le conseil a adopté la résolution n°\u00a0{number}, «\u202f{title}\u202f».",
    },
}
COUNTS = {
    "ar": " (مؤيدون: {yes}، معارضون: {no}، ممتنعون: {abstain})",
    "fr": " (pour\u202f: {yes}, contre\u202f: {no}, abstentions\u202f: {abstain})",
}


def _decision(resolution, language: str) -> str:
    """The sentence of what the board decided on `resolution`, with its recorded vote."""
    if resolution.outcome != "adopted":
        said = resolution.outcome
    else:
        said = "unanimous" if resolution.unanimous else "counted" if resolution.votes_total else "adopted"
    counts = COUNTS[language].format(
        yes=resolution.votes_for or 0, no=resolution.votes_against or 0, abstain=resolution.votes_abstain or 0
    )
    title = resolution.title if language == "ar" else resolution.title_fr or resolution.title
    return DECISIONS[language][said].format(
        number=resolution.number, title=title, counts=counts if resolution.votes_total else ""
    )


# Arabic ----------------------------------------------------------------------------------------------


def _sayyid(person) -> str:
    return "السيدة" if person.gender == FEMALE else "السيد"


def _opening_ar(session: Session) -> str:
    chair = session.chair
    at = f" على الساعة {session.start_time:%H:%M}" if session.start_time else ""
    if chair is None:
        return f"افتتحت الجلسة{at} {TO_COMPLETE}، ثم عرض جدول الأعمال."
    title = f"، {chair.title_ar}،" if chair.title_ar else ""
    opened = "افتتحت" if chair.gender == FEMALE else "افتتح"
    presented = "عرضت" if chair.gender == FEMALE else "عرض"
    return f"{opened} {_sayyid(chair)} {chair.name_ar}{title} الجلسة{at} {TO_COMPLETE}، ثم {presented} جدول الأعمال."


def _deliberation_ar(item: AgendaItem, resolutions: list) -> str:
    head = (
        f"في إطار النقطة {feminine_ordinal(item.position, 'ar')} من جدول الأعمال، المتعلقة بـ«{item.title}»"
    )
    head += (
        f"، قدم {item.presenter} عرضا {TO_COMPLETE}." if item.presenter else f"، تدارس المجلس {TO_COMPLETE}."
    )
    decided = " ثم ".join(_decision(r, "ar") for r in resolutions) if resolutions else TO_COMPLETE
    return f"{head}\n\nوبعد المناقشة، {decided}"


# French ----------------------------------------------------------------------------------------------


def _civility(person) -> str:
    return "Mme" if person.gender == FEMALE else "M."


def _opening_fr(session: Session) -> str:
    chair = session.chair
    at = f" à {session.start_time:%H}\u00a0h\u00a0{session.start_time:%M}" if session.start_time else ""
    if chair is None:
        return f"La séance a été ouverte{at} {TO_COMPLETE}, puis l’ordre du jour a été présenté."
    title = f", {chair.title_fr}," if chair.title_fr else ""
    return (
        f"{_civility(chair)} {chair.name_fr or chair.name_ar}{title} a ouvert la séance{at} {TO_COMPLETE}, puis a "
        "présenté l’ordre du jour."
    )


def _deliberation_fr(item: AgendaItem, resolutions: list) -> str:
    head = f"Au titre du point n°\u00a0{item.position} de l’ordre du jour, «\u202f{item.title_fr or item.title}\u202f»"
    presenter = item.presenter_fr or item.presenter
    head += (
        f", {presenter} a présenté {TO_COMPLETE}." if presenter else f", le conseil a examiné {TO_COMPLETE}."
    )
    decided = " Puis ".join(_decision(r, "fr") for r in resolutions) if resolutions else TO_COMPLETE
    return f"{head}\n\nÀ l’issue des débats, {decided}"
