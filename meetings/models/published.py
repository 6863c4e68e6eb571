"""What the public reads of a session once its minutes are published: the record as signed, never the
working rows.

At publication (`meetings.minutes.lifecycle.publish`), `PublishedSession.objects.publish` turns the version's
record (`Minutes.record`, the snapshot kept at signature) into rows the public pages can query: the
session's facts and its agenda items here, its resolutions and follow-ups in `decisions` (which listens
to `record_published`). A later version replaces them when it is published in turn; meanwhile the
secretariat may change the working rows of a correction as it likes, the public sees none of it.
"""

import datetime
import functools
from typing import NamedTuple

from django.db import connection, models
from django.db.models import OuterRef
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..text.dates import moroccan_date
from .archive import newest_copy_hash
from .board import Board, of_the_public_site
from .minutes import Minutes
from .record import Searchable, SearchQuerySet, agenda_fields, session_fields
from .session import AgendaItem, Session, session_title

# Sent with `published` (a PublishedSession) and `record` (its version's snapshot), inside the
# transaction of the publication: the apps that show parts of the record fill their public rows (a
# signal, since meetings never imports decisions, whose resolutions are among those parts).
record_published = Signal()


class PublishedSessionQuerySet(models.QuerySet):
    def public(self) -> "PublishedSessionQuerySet":
        """What the public reads: of the board the public site is about."""
        return self.filter(of_the_public_site())

    def publish(self, minutes: Minutes) -> "PublishedSession":
        """The public rows of `minutes` (signed, being published), replacing those of an earlier version."""
        record = minutes.record
        self.filter(session_id=minutes.session_id).delete()
        published = self.create(
            session_id=minutes.session_id,
            minutes=minutes,
            board_id=minutes.session.board_id,
            **session_fields(record),
        )
        items = [PublishedAgendaItem(session=published, **agenda_fields(item)) for item in record["agenda"]]
        for item in items:
            item.fill_search_text()
        PublishedAgendaItem.objects.bulk_create(items)
        record_published.send(sender=PublishedSession, published=published, record=record)
        return published


class PublishedSession(models.Model):
    """A session as the latest published version of its minutes signed it."""

    session = models.OneToOneField(
        Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="published"
    )
    minutes = models.OneToOneField(
        Minutes, verbose_name=_("minutes"), on_delete=models.PROTECT, related_name="+"
    )
    board = models.ForeignKey(Board, verbose_name=_("board"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    ordinal = models.PositiveSmallIntegerField(_("ordinal within the year"))
    kind = models.CharField(_("kind"), max_length=20, choices=Session.Kind)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    place_fr = models.CharField(_("place in French"), max_length=300, blank=True)

    objects = PublishedSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("published session")
        verbose_name_plural = _("published sessions")
        ordering = ["-date", "-ordinal"]
        indexes = [models.Index(fields=["board", "-date", "-ordinal"], name="published_newest_first")]
        constraints = [
            # The board last: an index led by the board would compete with the one above, which reads
            # the register in its order.
            models.UniqueConstraint(fields=["year", "ordinal", "board"], name="published_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.display_date}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:session_detail", kwargs={"year": self.year, "ordinal": self.ordinal})

    @property
    def title(self) -> str:
        return session_title(self.kind, self.ordinal, self.year)

    @property
    def display_date(self) -> str:
        return moroccan_date(self.date)


class PublishedAgendaItemQuerySet(SearchQuerySet):
    def public(self) -> "PublishedAgendaItemQuerySet":
        """What the public reads: of the board the public site is about."""
        return self.filter(of_the_public_site("session__board"))


class PublishedAgendaItem(Searchable):
    """An agenda item as signed, found by the search."""

    session = models.ForeignKey(
        PublishedSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=500)
    title_fr = models.CharField(pgettext_lazy("heading", "title in French"), max_length=500, blank=True)
    presenter = models.CharField(_("presented by"), max_length=300, blank=True)
    presenter_fr = models.CharField(_("presented by, in French"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_fr = models.TextField(_("summary in French"), blank=True)
    deliberation = models.TextField(_("deliberation"), blank=True)
    deliberation_fr = models.TextField(_("deliberation in French"), blank=True)
    searched_fields = AgendaItem.searched_fields

    objects = PublishedAgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("published agenda item")
        verbose_name_plural = _("published agenda items")
        ordering = ["session", "position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


# What names a public page kept in the cache (meetings.pages.kept), read at every request for it: each in one
# query whose SQL the ORM builds and compiles once per process. Built at every request, that query cost the
# ORM three times what running it costs (1.2 of a published session page's 1.6 ms of lookup).


class PublishedVersion(NamedTuple):
    """A published session's page, as far as its kept copy goes."""

    minutes_id: int
    sha256: str  # the version's: what the page shows
    published_at: datetime.datetime | None
    newest_file: str  # the SHA-256 of its newest stored file (its latest archived copy, else the original)


# Placeholders for the year and the ordinal in the query compiled once: numbers no session has, within the
# columns' range (the ORM answers "nothing" without compiling a number out of range).
_YEAR, _ORDINAL = 32101, 32102


@functools.cache
def _version_query() -> tuple[str, tuple]:
    return (
        PublishedSession.objects.public()
        .filter(year=_YEAR, ordinal=_ORDINAL)
        .annotate(newest_file=Coalesce(newest_copy_hash(OuterRef("minutes")), "minutes__sha256"))
        .values_list("minutes_id", "minutes__sha256", "minutes__published_at", "newest_file")
        .query.sql_with_params()
    )


def published_version(year: int, ordinal: int) -> PublishedVersion | None:
    """The version of the public site's session numbered `year`/`ordinal`, if it is published."""
    low, high = connection.ops.integer_field_range("PositiveSmallIntegerField")
    if not (low <= year <= high and low <= ordinal <= high):  # no such session: as the ORM answers
        return None
    sql, params = _version_query()
    given = {_YEAR: year, _ORDINAL: ordinal}
    # (PostgreSQL's parameters come typed, Int2(32101): an int all the same.)
    row = _first_row(
        sql, [given.get(p, p) if isinstance(p, int) and not isinstance(p, bool) else p for p in params]
    )
    return PublishedVersion(row[0], row[1], _as_datetime(row[2]), row[3]) if row else None


class LastPublication(NamedTuple):
    """The state of what the public site shows: `row`, its newest published row (a publication, of a
    session or of its correction, replaces the session's rows by newer ones), and when it was published."""

    row: int | None
    at: datetime.datetime | None


@functools.cache
def _last_publication_query() -> tuple[str, tuple]:
    newest = PublishedSession.objects.public().order_by("-pk").values_list("pk", "minutes__published_at")
    return newest[:1].query.sql_with_params()


def last_publication() -> LastPublication:
    """The last publication of the public site's board: what the register and the search show changes
    with it only."""
    row = _first_row(*_last_publication_query())
    return LastPublication(row[0], _as_datetime(row[1])) if row else LastPublication(None, None)


def _first_row(sql: str, params) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _as_datetime(value) -> datetime.datetime | None:
    """A date and time as the database gave it to the cursor: PostgreSQL's, aware; SQLite's, the text the
    ORM would have converted (UTC, as stored)."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
    return value
