"""What the public reads: each published session's record as signed, as rows the register, the search
and the exports query (meetings.PublishedSession and PublishedAgendaItem, PublishedResolution and
PublishedFollowUp here), with trigram indexes on PostgreSQL for the search; filled for the sessions
published before this migration from their latest published version's record.

The filling is what the publication of the time did (`PublishedSession.objects.publish` and decisions'
`fill_published_rows`, commit a879072), frozen here on the historical models: the application's own code
has since grown fields (French versions) that this migration's tables do not have yet."""

import datetime
import functools
import unicodedata

import django.db.models.deletion
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "published_agenda_item_search_trgm": "meetings_publishedagendaitem",
    "published_resolution_search_trgm": "decisions_publishedresolution",
}


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for index, table in TRIGRAM_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (search_text gin_trgm_ops)"
            )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


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


# What the published rows took from the record, and searched, at this migration.
AGENDA_FIELDS = ("position", "title", "presenter", "summary", "deliberation")
AGENDA_SEARCHED = ("title", "summary", "deliberation")
RESOLUTION_SEARCHED = ("title", "text", "responsible_unit")


def _search_text(row, fields: tuple[str, ...]) -> str:
    return _normalize(" ".join(getattr(row, name) or "" for name in fields))


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _time(value: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(value) if value else None


def _publish(apps, minutes) -> None:
    """The public rows of `minutes` (published), from its record as signed, replacing any earlier ones."""
    PublishedSession = apps.get_model("meetings", "PublishedSession")
    PublishedAgendaItem = apps.get_model("meetings", "PublishedAgendaItem")
    PublishedResolution = apps.get_model("decisions", "PublishedResolution")
    PublishedFollowUp = apps.get_model("decisions", "PublishedFollowUp")
    record = minutes.record
    facts = record["session"]
    # Rows left by an earlier run of this migration (migrated back past it, meetings' tables kept them).
    PublishedSession.objects.filter(session_id=minutes.session_id).delete()
    published = PublishedSession.objects.create(
        session_id=minutes.session_id,
        minutes=minutes,
        board_id=minutes.session.board_id,
        year=facts["year"],
        ordinal=facts["ordinal"],
        kind=facts["kind"],
        date=_date(facts["date"]),
        start_time=_time(facts["start_time"]),
        end_time=_time(facts["end_time"]),
        place=facts["place"],
    )
    items = [
        PublishedAgendaItem(session=published, **{field: item[field] for field in AGENDA_FIELDS})
        for item in record["agenda"]
    ]
    for item in items:
        item.search_text = _search_text(item, AGENDA_SEARCHED)
    PublishedAgendaItem.objects.bulk_create(items)
    positions = {item.position: item for item in PublishedAgendaItem.objects.filter(session=published)}
    resolutions = [
        PublishedResolution(
            session=published,
            agenda_item=positions.get(r["agenda_item"]),
            sequence=r["sequence"],
            title=r["title"],
            text=r["text"],
            unanimous=r["unanimous"],
            votes_for=r["votes"]["for"],
            votes_against=r["votes"]["against"],
            votes_abstain=r["votes"]["abstain"],
            outcome=r["outcome"],
            responsible_unit=r["responsible_unit"],
            due_date=_date(r["due_date"]),
        )
        for r in record["resolutions"]
    ]
    for resolution in resolutions:
        resolution.search_text = _search_text(resolution, RESOLUTION_SEARCHED)
    PublishedResolution.objects.bulk_create(resolutions)
    PublishedFollowUp.objects.bulk_create(
        PublishedFollowUp(
            session=published,
            board_id=published.board_id,
            reported_on=published.date,
            reported_at_ordinal=published.ordinal,
            resolution_year=f["resolution_parts"][0],
            resolution_ordinal=f["resolution_parts"][1],
            resolution_sequence=f["resolution_parts"][2],
            resolution_title=f["resolution_title"],
            status=f["status"],
            note=f["note"],
        )
        for f in record["follow_ups"]
    )


def fill(apps, schema_editor):
    """Each session's latest published version, published again into the new tables."""
    Minutes = apps.get_model("meetings", "Minutes")
    latest = {}
    for minutes in Minutes.objects.filter(state="published").select_related("session").order_by("version"):
        latest[minutes.session_id] = minutes
    for minutes in latest.values():
        _publish(apps, minutes)


class Migration(migrations.Migration):

    dependencies = [
        ('decisions', '0006_frozen_record_in_the_database'),
        ('meetings', '0010_published_record'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublishedFollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reported_on', models.DateField(verbose_name='date')),
                ('reported_at_ordinal', models.PositiveSmallIntegerField(verbose_name='ordinal within the year')),
                ('resolution_year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('resolution_ordinal', models.PositiveSmallIntegerField(verbose_name='ordinal within the year')),
                ('resolution_sequence', models.PositiveSmallIntegerField(verbose_name='sequence within the session')),
                ('resolution_title', models.CharField(max_length=500, verbose_name='title')),
                ('status', models.CharField(choices=[('not_started', 'not started'), ('in_progress', 'in progress'), ('done', 'done'), ('cancelled', 'cancelled')], max_length=20, verbose_name='status')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('board', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='meetings.board', verbose_name='board')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='meetings.publishedsession', verbose_name='reported at session')),
            ],
            options={
                'verbose_name': 'published follow-up',
                'verbose_name_plural': 'published follow-ups',
                'ordering': ['session', 'resolution_year', 'resolution_ordinal', 'resolution_sequence'],
                'indexes': [models.Index(fields=['board', 'resolution_year', 'resolution_ordinal', 'resolution_sequence', '-reported_on', '-reported_at_ordinal'], name='published_follow_up_resolution')],
            },
        ),
        migrations.CreateModel(
            name='PublishedResolution',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('search_text', models.TextField(blank=True, editable=False, verbose_name='search text')),
                ('sequence', models.PositiveSmallIntegerField(default=1, verbose_name='sequence within the session')),
                ('title', models.CharField(max_length=500, verbose_name='title')),
                ('text', models.TextField(verbose_name='operative text')),
                ('unanimous', models.BooleanField(default=False, verbose_name='unanimous')),
                ('votes_for', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='votes for')),
                ('votes_against', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='votes against')),
                ('votes_abstain', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='abstentions')),
                ('outcome', models.CharField(choices=[('adopted', 'adopted'), ('rejected', 'rejected'), ('deferred', 'deferred')], default='adopted', max_length=20, verbose_name='outcome')),
                ('responsible_unit', models.CharField(blank=True, max_length=300, verbose_name='responsible unit')),
                ('due_date', models.DateField(blank=True, null=True, verbose_name='due date')),
                ('agenda_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='resolutions', to='meetings.publishedagendaitem', verbose_name='agenda item')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='resolutions', to='meetings.publishedsession', verbose_name='session')),
            ],
            options={
                'verbose_name': 'published resolution',
                'verbose_name_plural': 'published resolutions',
                'ordering': ['session', 'sequence'],
                'constraints': [models.UniqueConstraint(fields=('session', 'sequence'), name='published_resolution_unique_number')],
            },
        ),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
