"""Text typed by people, made safe to lay out in a right-to-left document."""

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
