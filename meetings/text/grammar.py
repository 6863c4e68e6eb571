"""Arabic and French grammar the record's sentences need around words they did not choose: a name after
«ل», a word said of a person in their gender (the ordinals that agree with «دورة» are in `ordinals`). The
pages, the PDF and the messages all write through these."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from django.utils.translation import gettext, pgettext

# A person's recorded gender, as meetings.models.Gender stores it.
FEMALE = "female"
MALE = "male"


def after_li(name: str) -> str:
    """An Arabic name after the preposition «ل» (for, of), written as one word with it: «للمجلس الإداري»
    for «المجلس الإداري» (its «ا» falls: «ل» + «ال» is «لل»), «لمؤسسة…» otherwise."""
    return "ل" + name[1:] if name.startswith("ال") else "ل" + name


def in_gender(masculine: StrOrPromise, feminine: StrOrPromise | None, gender: str | None) -> str:
    """What is said of a person (a title, a seat, an attendance) in their gender: `feminine` for a woman
    where the language has a feminine form, otherwise `masculine`, the form for an unknown gender too:
    «الرئيسة», «حاضرة», «présidente» for a woman; «الرئيس», «حاضر», «président» otherwise."""
    return str(feminine) if gender == FEMALE and feminine else str(masculine)


def greeting(name: str, gender: str | None) -> str:
    """The first line of a letter to a person, in their recorded gender: «السيد … المحترم،»,
    «السيدة … المحترمة،»; in French «Monsieur,», «Madame,» (a French letter does not name its reader
    there). Unknown, both: «السيد(ة) … المحترم(ة)،», «Madame, Monsieur,»."""
    # A translation may leave the name out (French does): the three are not checked as Python formats.
    if gender == FEMALE:
        # xgettext:no-python-format
        text = pgettext("greeting of a woman", "Dear Ms %(name)s,")
    elif gender == MALE:
        # xgettext:no-python-format
        text = pgettext("greeting of a man", "Dear Mr %(name)s,")
    else:
        # xgettext:no-python-format
        text = gettext("Dear %(name)s,")
    return text % {"name": name}


def proxies_ar(count: int) -> str:
    """How many proxies, as Arabic counts them: «وكالة واحدة», «وكالتين», «3 وكالات», «11 وكالة»."""
    if count == 1:
        return "وكالة واحدة"
    if count == 2:
        return "وكالتين"
    return f"{count} وكالات" if 3 <= count <= 10 else f"{count} وكالة"
