"""Text typed by people, made safe to lay out in a right-to-left document."""

import re
import unicodedata

# Explicit embeddings and overrides close with PDF (U+202C), isolates with PDI (U+2069). A lone
# opener typed into one field would otherwise reorder whatever the document prints after it.
_EMBEDDINGS = {"\u202a", "\u202b", "\u202d", "\u202e"}
_ISOLATES = {"\u2066", "\u2067", "\u2068"}
_POP_EMBEDDING = "\u202c"
_POP_ISOLATE = "\u2069"


def close_bidi_controls(text: str) -> str:
    """Append the closers that the text's own bidi openers lack; the text itself is kept as typed."""
    embeddings = isolates = 0
    for char in text:
        if char in _EMBEDDINGS:
            embeddings += 1
        elif char == _POP_EMBEDDING and embeddings:
            embeddings -= 1
        elif char in _ISOLATES:
            isolates += 1
        elif char == _POP_ISOLATE and isolates:
            isolates -= 1
    return text + _POP_EMBEDDING * embeddings + _POP_ISOLATE * isolates


def base_direction(text: str) -> str:
    """'rtl' or 'ltr' from the first strong character, as HTML's dir="auto" decides (Arabic by default)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in {"R", "AL"}:
            return "rtl"
        if kind == "L":
            return "ltr"
    return "rtl"


# A left-to-right run inside Arabic text: Latin words, figures with their separators (2026-11-29,
# 1.250.000,50, +212 537 12 34 56, 15:00). Left alone, the bidi algorithm lays such figures out right
# to left once they follow an Arabic letter («29-11-2026»); isolated, they keep their order.
# A run starts with a Latin letter or figure (or the + of a phone number), takes in everything that is
# not Arabic (spaces, _, -, brackets: splitting «long_word» in two isolates would swap its halves), and
# ends on a Latin letter or figure, leaving a sentence's final punctuation to the Arabic around it.
_LATIN = "A-Za-z0-9\u00c0-\u024f"
_NOT_ARABIC = "^\n\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_LTR_RUN = re.compile(rf"\+?[{_LATIN}](?:[{_NOT_ARABIC}]*[{_LATIN}])?")


def ltr_runs(text: str) -> list[tuple[str, bool]]:
    """The text cut into pieces, each flagged True when it is a left-to-right run to isolate."""
    if base_direction(text) != "rtl":
        return [(text, False)]
    pieces, start = [], 0
    for run in _LTR_RUN.finditer(text):
        pieces += [(text[start : run.start()], False), (run.group(), True)]
        start = run.end()
    pieces.append((text[start:], False))
    return [(piece, isolate) for piece, isolate in pieces if piece]
