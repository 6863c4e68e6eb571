"""Text typed by people, made safe to lay out in a right-to-left document."""

import re
import unicodedata

# Explicit embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): no keyboard types them, and
# one left open reverses whatever a printed line or a page lays out after it (a signed PDF included). They
# are removed from what people type, at every save of the project's models (`remove_bidi_controls`), and
# again from whatever is laid out (`bidi_safe`), for a row written around the models. The marks a keyboard
# does type (LRM, RLM, ALM) only weigh on the characters beside them, and are kept.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
TYPED_TEXT_APPS = frozenset({"meetings", "decisions"})


def without_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def remove_bidi_controls(sender, instance, raw: bool = False, **kwargs) -> None:
    """pre_save: the bidi controls out of every text field of a model of the project's apps."""
    if raw or sender._meta.app_label not in TYPED_TEXT_APPS:
        return
    for field in sender._meta.concrete_fields:
        if field.get_internal_type() in {"CharField", "TextField"}:
            value = getattr(instance, field.attname)
            if isinstance(value, str) and BIDI_CONTROLS.search(value):
                setattr(instance, field.attname, without_bidi_controls(value))


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
