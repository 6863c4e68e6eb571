"""The minutes' texts drafted from the record, in the set phrases of the administration, in Arabic and in
French: the opening (the session, its date, hour and place, who chaired, the quorum, the agenda) and, for
each agenda item, the head of its deliberation (who presented it, the declarations of interest, what the
board decided, by what vote). Every name, figure and date comes from the record; where only the
secretariat knows what was said, the draft leaves «[…]» for it to complete.

`fill_from_record` writes the drafts into the session's fields that are still empty, never over a text the
secretariat wrote; the secretariat then completes them as any text of the record.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from ..models import AgendaItem, Session
from ..models.session import Quorum
from ..text.dates import moroccan_date
from ..text.grammar import FEMALE, after_li
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
        opening=_opening_ar(session, items),
        opening_fr=_opening_fr(session, items),
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


# Arabic ---------------------------------------------------------------------------------------------


def _sayyid(person) -> str:
    return "السيدة" if person.gender == FEMALE else "السيد"


def _quorum_ar(quorum: Quorum) -> str:
    counted = f"حضر أو مثل {quorum.counted} من أصل {quorum.voting_members} من الأعضاء ذوي الحق في التصويت"
    if quorum.represented:
        counted += f" (منهم {quorum.represented} بالنيابة)"
    if quorum.reached:
        return f"وبعد التأكد من اكتمال النصاب القانوني، إذ {counted} والنصاب المطلوب {quorum.required}،"
    return f"وسجل عدم اكتمال النصاب القانوني، إذ {counted} والنصاب المطلوب {quorum.required}."


def _opening_ar(session: Session, items: list[AgendaItem]) -> str:
    with translation.override("ar"):
        title = session.title
    prefix, _, year = title.partition(" برسم ")
    first = (
        f"انعقدت {prefix} {after_li(session.board.name_ar)} برسم {year} "
        f"يوم {moroccan_date(session.date, 'ar', weekday=True)}"
    )
    if session.start_time:
        first += f" على الساعة {session.start_time:%H:%M}"
    if session.place:
        first += f" ب{session.place}"
    chair = session.chair
    if chair is not None:
        first += f"، تحت رئاسة {_sayyid(chair)} {chair.name_ar}"
        if chair.title_ar:
            first += f"، {chair.title_ar}"
    first += "."
    quorum = session.quorum()
    president = "الرئيسة" if chair is not None and chair.gender == FEMALE else "الرئيس"
    if quorum.reached:
        second = (
            f"{_quorum_ar(quorum)} افتتح {_sayyid(chair) if chair else ''} {president} الجلسة {TO_COMPLETE}، "
            "ثم عرض جدول الأعمال الذي تضمن النقط التالية:"
        ).replace("  ", " ")
    else:
        second = f"{_quorum_ar(quorum)} {TO_COMPLETE}"
    agenda = [f"{item.position}. {item.title}" for item in items]
    return "\n\n".join([first, second, "\n".join(agenda)] if quorum.reached and agenda else [first, second])


def _declarations_ar(item: AgendaItem) -> list[str]:
    sentences = []
    for declaration in item.declared:
        person = declaration.member
        if person.gender == FEMALE:
            sentences.append(
                f"وقد صرحت السيدة {person.name_ar} بوجود تضارب في المصالح بخصوص هذه النقطة، فانسحبت من "
                "مداولتها ولم تشارك في التصويت على ما اتخذ بشأنها من قرارات، ولم تحتسب في نصابها."
            )
        else:
            sentences.append(
                f"وقد صرح السيد {person.name_ar} بوجود تضارب في المصالح بخصوص هذه النقطة، فانسحب من "
                "مداولتها ولم يشارك في التصويت على ما اتخذ بشأنها من قرارات، ولم يحتسب في نصابها."
            )
    if sentences:
        quorum = item.quorum
        state = (
            "فاكتمل النصاب القانوني للتداول فيها"
            if quorum.reached
            else "فلم يكتمل النصاب القانوني للتداول فيها"
        )
        sentences.append(
            f"وبذلك حضر أو مثل بالنسبة لهذه النقطة {quorum.counted} من أصل {quorum.voting_members} من الأعضاء "
            f"ذوي الحق في التصويت، والنصاب المطلوب {quorum.required}، {state}."
        )
    return sentences


def _deliberation_ar(item: AgendaItem, resolutions: list) -> str:
    head = (
        f"في إطار النقطة {feminine_ordinal(item.position, 'ar')} من جدول الأعمال، المتعلقة بـ«{item.title}»"
    )
    head += (
        f"، قدم {item.presenter} عرضا {TO_COMPLETE}." if item.presenter else f"، تدارس المجلس {TO_COMPLETE}."
    )
    parts = [head, *_declarations_ar(item)]
    if resolutions:
        parts.append("وبعد المناقشة، " + " ثم ".join(_decision(r, "ar") for r in resolutions))
    else:
        parts.append(f"وبعد المناقشة، {TO_COMPLETE}")
    return "\n\n".join(parts)


# French ---------------------------------------------------------------------------------------------


def _civility(person) -> str:
    return "Mme" if person.gender == FEMALE else "M."


def _name_fr(person) -> str:
    return person.name_fr or person.name_ar


def _quorum_fr(quorum: Quorum) -> str:
    counted = f"{quorum.counted} des {quorum.voting_members} membres ayant voix délibérative présents ou représentés"
    if quorum.represented:
        counted += f" (dont {quorum.represented} par procuration)"
    if quorum.reached:
        return f"Le quorum étant atteint ({counted}, {quorum.required} requis),"
    return f"Le quorum n’a pas été atteint ({counted}, {quorum.required} requis)."


def _opening_fr(session: Session, items: list[AgendaItem]) -> str:
    board = session.board
    if not board.name_fr:
        return ""  # no French name to write it with: the secretariat writes the French, or leaves it out
    ordinal = feminine_ordinal(session.ordinal, "fr")
    kind = "ordinaire" if session.kind == Session.Kind.ORDINARY else "extraordinaire"
    first = (
        f"Le {board.name_fr} s’est réuni en sa {ordinal} session {kind} de l’année {session.year}, le "
        f"{moroccan_date(session.date, 'fr', weekday=True)}"
    )
    if session.start_time:
        first += f" à {session.start_time:%H} h {session.start_time:%M}"
    if session.place_fr or session.place:
        first += f", à {session.place_fr or session.place}"
    chair = session.chair
    if chair is not None:
        first += f", sous la présidence de {_civility(chair)} {_name_fr(chair)}"
        if chair.title_fr:
            first += f", {chair.title_fr}"
    first += "."
    quorum = session.quorum()
    if quorum.reached:
        president = "la présidente" if chair is not None and chair.gender == FEMALE else "le président"
        second = (
            f"{_quorum_fr(quorum)} {president} a ouvert la séance {TO_COMPLETE}, puis a présenté l’ordre du jour, "
            "qui comportait les points suivants :"
        )
    else:
        second = f"{_quorum_fr(quorum)} {TO_COMPLETE}"
    agenda = [f"{item.position}. {item.title_fr or item.title}" for item in items]
    return "\n\n".join([first, second, "\n".join(agenda)] if quorum.reached and agenda else [first, second])


def _deliberation_fr(item: AgendaItem, resolutions: list) -> str:
    title = item.title_fr or item.title
    head = f"Au titre du point n° {item.position} de l’ordre du jour, « {title} »"
    presenter = item.presenter_fr or item.presenter
    head += (
        f", {presenter} a présenté {TO_COMPLETE}." if presenter else f", le conseil a examiné {TO_COMPLETE}."
    )
    parts = [head]
    for declaration in item.declared:
        person = declaration.member
        retired = "retirée" if person.gender == FEMALE else "retiré"
        counted = "comptée" if person.gender == FEMALE else "compté"
        parts.append(
            f"{_civility(person)} {_name_fr(person)} a déclaré un conflit d’intérêts sur ce point ; "
            f"{'elle' if person.gender == FEMALE else 'il'} s’est {retired} de la délibération, n’a pas pris part "
            f"au vote et n’a pas été {counted} pour le quorum."
        )
    if item.declared:
        quorum = item.quorum
        state = "le quorum est atteint" if quorum.reached else "le quorum n’est pas atteint"
        parts.append(
            f"Pour ce point, {quorum.counted} des {quorum.voting_members} membres ayant voix délibérative sont "
            f"présents ou représentés, {quorum.required} requis : {state}."
        )
    if resolutions:
        parts.append("À l’issue des débats, " + " Puis ".join(_decision(r, "fr") for r in resolutions))
    else:
        parts.append(f"À l’issue des débats, {TO_COMPLETE}")
    return "\n\n".join(parts)
