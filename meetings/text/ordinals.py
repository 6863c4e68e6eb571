"""Ordinal words for session names: «الدورة الثانية», «deuxième session»."""

from django.utils.translation import get_language

_ARABIC_FEMININE = [
    "الأولى",
    "الثانية",
    "الثالثة",
    "الرابعة",
    "الخامسة",
    "السادسة",
    "السابعة",
    "الثامنة",
    "التاسعة",
    "العاشرة",
]
_FRENCH_FEMININE = [
    "première",
    "deuxième",
    "troisième",
    "quatrième",
    "cinquième",
    "sixième",
    "septième",
    "huitième",
    "neuvième",
    "dixième",
]


def feminine_ordinal(number: int, language: str | None = None) -> str:
    """The ordinal that agrees with «دورة» / «session»; past ten, the figure (a board rarely meets more)."""
    language = (language or get_language() or "ar").split("-")[0]
    words = _FRENCH_FEMININE if language == "fr" else _ARABIC_FEMININE
    if 1 <= number <= len(words):
        return words[number - 1]
    return f"{number}e" if language == "fr" else str(number)
