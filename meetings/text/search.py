"""Search that works for Arabic and French: one normalisation for the stored text and the query.

Both sides go through `normalize()`, so that a query finds its text whatever the diacritics, tatweel,
hamza and alef forms, ى/ي, ة/ه, accents and case; the database then only has to find a substring
(`LIKE '%term%'`, served on PostgreSQL by a trigram index), which behaves the same on SQLite.
"""

import functools
import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_TASHKEEL = {chr(code) for code in range(0x064B, 0x0660)} | {"\u0670"}
_TATWEEL = "\u0640"
# Marks (LRM, RLM, ALM), embeddings, overrides and isolates, and the zero-width characters: invisible,
# typed or pasted by chance, they would otherwise cut a word in two for the search.
_INVISIBLE = set(
    "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
_LETTERS = {
    # Alef forms: hamza above or below, madda, wasla. Writers use them inconsistently, often not at all.
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",  # alef maqsura, commonly written as (or confused with) ya, as in «مستشفى»/«مستشفي»
    "ة": "ه",  # ta marbuta, typed without its dots as ha
    # The hamza on a waw or ya seat is often left off in typing («شوون» for «شؤون», «رييس» for «رئيس»,
    # «مسوول» for «مسؤول»): folding it onto its seat letter makes the spelling with and without it meet.
    "ؤ": "و",
    "ئ": "ي",
}


@functools.lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """What one character of the text becomes in the normalised text: "" for what the search ignores."""
    if char in _INVISIBLE or char == _TATWEEL or char in _TASHKEEL:
        return ""
    if char.isspace():
        return " "
    folded = []
    for part in unicodedata.normalize("NFKC", char):
        part = _LETTERS.get(part, part)
        # Decomposed, «é» is «e» and a combining accent, «أ» is «ا» and a combining hamza: marks go.
        for piece in unicodedata.normalize("NFD", part):
            if unicodedata.combining(piece) or piece in _TASHKEEL or piece == _TATWEEL:
                continue
            if piece.isdecimal() and not piece.isascii():
                piece = str(unicodedata.decimal(piece))  # Arabic-Indic digits (٢٠٢٦) as 2026
            folded.append(_LETTERS.get(piece, piece).lower())
    return "".join(folded)


def _folded(text: str) -> tuple[str, list[int]]:
    """The normalised text, and for each of its characters the index of the original one it comes from."""
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        for piece in _fold(char):
            if piece == " " and (not chars or chars[-1] == " "):
                continue  # whitespace collapsed, none at the start
            chars.append(piece)
            origins.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        origins.pop()
    return "".join(chars), origins


def normalize(text: str) -> str:
    """The text as the search compares it: NFKC, without tashkeel, tatweel, bidi controls or accents,
    alef forms as ا, ى as ي, ة as ه, ؤ as و, ئ as ي, lowercase, whitespace collapsed to single spaces.
    Each character is folded on its own, so that a match can be mapped back onto the original text."""
    return _folded(text or "")[0]


# Attached particles and the article, longest first: «والميزانية» is searched as «ميزانيه», which the
# normalised text holds inside «الميزانيه», «والميزانيه», «بالميزانيه»...
_PREFIXES = sorted(["وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك"], key=len, reverse=True)
MIN_STEM = 3
MAX_TERMS = 20


def _stem(word: str) -> str:
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
            return word[len(prefix) :]
    return word


def query_terms(query: str) -> list[str]:
    """The normalised words of a query, each without one leading particle or article when what remains
    has at least three letters. Words of one letter (a lone «و», a French elided «l'») find everything
    and are left out; past twenty words the rest are ignored."""
    terms: list[str] = []
    for word in re.findall(r"\w+", normalize(query or "")):
        if len(word) < 2 and not word.isdecimal():
            continue
        term = _stem(word)
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the terms occur in the original text, as sorted, merged [start, end) ranges of it."""
    folded, origins = _folded(text)
    spans = []
    for term in terms:
        start = folded.find(term)
        while term and start != -1:
            end = start + len(term)
            # The original range runs to the next kept character: the tashkeel after the last letter is in.
            spans.append((origins[start], origins[end] if end < len(origins) else len(text)))
            start = folded.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    # Trailing whitespace a match ran into (before the next word) stays outside the mark.
    return [(start, start + len(text[start:end].rstrip())) for start, end in merged]


def has_match(text: str, terms: list[str]) -> bool:
    return bool(_match_spans(text or "", terms))


def highlight(text: str, terms: list[str]) -> SafeString:
    """The text escaped, with each part whose normalised form is a term wrapped in <mark>."""
    text = text or ""
    pieces, position = [], 0
    for start, end in _match_spans(text, terms):
        pieces += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # every piece of the text is escaped above


def excerpt(text: str, terms: list[str], width: int = 240) -> SafeString:
    """About `width` characters of a long text around its first match, highlighted, with «…» where cut."""
    text = text or ""
    if len(text) <= width:
        return highlight(text, terms)
    spans = _match_spans(text, terms)
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space != -1 else end
    cut = highlight(text[start:end], terms)
    return mark_safe(("… " if start else "") + cut + (" …" if end < len(text) else ""))
