"""The normalised search column of agenda items, filled for the existing rows, with a trigram index on
PostgreSQL (on SQLite the search scans the column, which the same LIKE serves)."""

import functools
import unicodedata

from django.db import migrations, models

INDEX = "agenda_item_search_trgm"

# The normalisation of meetings.search as it stood when this migration was frozen (commit 3a30906), copied
# here so that a later change to the search cannot change what this migration writes. Each character is
# folded on its own: NFKC, without tashkeel, tatweel, bidi controls or accents, alef forms as ا, ى as ي,
# ة as ه, ؤ as و, ئ as ي, lowercase, whitespace collapsed to single spaces.
_TASHKEEL = {chr(code) for code in range(0x064B, 0x0660)} | {"\u0670"}
_TATWEEL = "\u0640"
_INVISIBLE = set(
    "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
_LETTERS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
    "ؤ": "و",
    "ئ": "ي",
}


@functools.lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    if char in _INVISIBLE or char == _TATWEEL or char in _TASHKEEL:
        return ""
    if char.isspace():
        return " "
    folded = []
    for part in unicodedata.normalize("NFKC", char):
        part = _LETTERS.get(part, part)
        for piece in unicodedata.normalize("NFD", part):
            if unicodedata.combining(piece) or piece in _TASHKEEL or piece == _TATWEEL:
                continue
            if piece.isdecimal() and not piece.isascii():
                piece = str(unicodedata.decimal(piece))
            folded.append(_LETTERS.get(piece, piece).lower())
    return "".join(folded)


def _normalize(text: str) -> str:
    chars: list[str] = []
    for char in text or "":
        for piece in _fold(char):
            if piece == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(piece)
    if chars and chars[-1] == " ":
        chars.pop()
    return "".join(chars)


def fill(apps, schema_editor):
    # Historical models: their save() is the plain one, so a signed session's rows are filled too.
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    items = list(AgendaItem.objects.only("title", "summary", "deliberation"))
    for item in items:
        item.search_text = _normalize(" ".join([item.title, item.summary, item.deliberation]))
    AgendaItem.objects.bulk_update(items, ["search_text"], batch_size=500)


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON meetings_agendaitem USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_minutes_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
