"""Arabic and French grammar the record's sentences need around words they did not choose: a name after
«ل», a word said of a person in their gender (the ordinals that agree with «دورة» are in `ordinals`). The
pages, the PDF and the messages all write through these."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A person's recorded gender, as meetings.models.Gender stores it.
FEMALE = "female"


def after_li(name: str) -> str:
    """An Arabic name after the preposition «ل» (for, of), written as one word with it: «للمجلس الإداري»
    for «المجلس الإداري» (its «ا» falls: «ل» + «ال» is «لل»), «لمؤسسة…» otherwise."""
    return "ل" + name[1:] if name.startswith("ال") else "ل" + name


def in_gender(masculine: StrOrPromise, feminine: StrOrPromise | None, gender: str | None) -> str:
    """What is said of a person (a title, a seat, an attendance) in their gender: `feminine` for a woman
    where the language has a feminine form, otherwise `masculine`, the form for an unknown gender too:
    «الرئيسة», «حاضرة», «présidente» for a woman; «الرئيس», «حاضر», «président» otherwise."""
    return str(feminine) if gender == FEMALE and feminine else str(masculine)
