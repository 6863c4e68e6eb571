"""What a board decided, and how the decisions were carried out across later sessions.

Two sets of rows: the secretariat's working copy (`Resolution`, `FollowUp`, parts of a session's record),
and what the public reads (`PublishedResolution`, `PublishedFollowUp`), made from the record of the
latest published version of each session's minutes when it is published (`fill_published_rows`), and
replaced by the next. The register, a resolution's page, the search and the exports read only the latter.
"""

import datetime
from collections.abc import Callable
from typing import Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from meetings.models import (
    AgendaItem,
    Board,
    Minutes,
    Quorum,
    RecordRow,
    Searchable,
    Session,
    parent_session,
)
from meetings.models.board import of_the_public_site
from meetings.models.published import PublishedAgendaItem, PublishedSession, record_published
from meetings.models.record import (
    NOTE_TEXT,
    RESOLUTION_TEXT,
    NumberedInSession,
    SearchQuerySet,
    at_most,
    follow_up_fields,
    limit_help,
    resolution_fields,
)


class DecisionQuerySet(SearchQuerySet):
    """Resolutions, worked on or published: the rules over their follow-up status."""

    def with_overdue(self, today: datetime.date) -> Self:
        """Annotate `is_overdue` (needs `with_latest_status()`): see `overdue()`."""
        return self.annotate(
            is_overdue=models.Case(
                models.When(_overdue(today), then=True), default=False, output_field=models.BooleanField()
            )
        )

    def overdue(self, today: datetime.date) -> Self:
        """Adopted resolutions past their due date whose latest follow-up is neither done nor cancelled
        (needs `with_latest_status()`). A rejected or deferred resolution has nothing to carry out."""
        return self.filter(_overdue(today))

    def newest_first(self) -> Self:
        """Latest sessions first; within a session, in the order the minutes give them."""
        return self.order_by("-session__date", "-session__ordinal", "sequence")


class ResolutionQuerySet(DecisionQuerySet):
    def decided(self) -> "ResolutionQuerySet":
        """Leave out the drafts of written consultations not closed (`_decided`)."""
        return self.filter(_decided())

    def with_latest_status(self, follow_ups: "models.QuerySet[FollowUp]") -> "ResolutionQuerySet":
        """Annotate `latest_status`: the status of the latest of `follow_ups`, or None when there is none."""
        latest = (
            follow_ups.filter(resolution=OuterRef("pk"))
            .order_by("-session__date", "-session__ordinal")
            .values("status")[:1]
        )
        return self.annotate(latest_status=Subquery(latest))

    def open_at(self, session: Session) -> "ResolutionQuerySet":
        """The resolutions whose follow-up the secretariat reports at `session`: adopted by the same board
        at an earlier session and, as last reported before it, neither done nor cancelled. Those already
        followed up at `session` stay in, whatever their status or anything changed since (so that a
        report can be corrected or removed). Annotated with `latest_status` (as reported before
        `session`, drafts included). Earlier means on an earlier day: a session does not follow up one
        held the same day (`FollowUp.clean` says the same)."""
        before = FollowUp.objects.filter(session__board=session.board_id, session__date__lt=session.date)
        reported_here = FollowUp.objects.filter(resolution=OuterRef("pk"), session=session.pk)
        still_open = (
            Q(
                session__board=session.board_id,
                session__date__lt=session.date,
                outcome=Resolution.Outcome.ADOPTED,
            )
            & _decided()
            & _not_closed()
        )
        return self.with_latest_status(before).filter(still_open | Q(Exists(reported_here)))


def _decided() -> Q:
    """Decided: recorded at a session, or put to the members in writing and closed. A written
    consultation's draft (open, or withdrawn) has decided nothing, whatever its `outcome` says so far."""
    return ~Q(session__kind=Session.Kind.WRITTEN) | Q(session__closed_at__isnull=False)


def _not_closed() -> Q:
    """No follow-up status yet (the `latest_status` annotation), or one neither done nor cancelled."""
    return Q(latest_status__isnull=True) | ~Q(latest_status__in=FollowUp.CLOSED)


def _overdue(today: datetime.date) -> Q:
    """The rule of `ResolutionQuerySet.overdue`, in the database; `Resolution.is_overdue_on` in Python."""
    return Q(outcome=Resolution.Outcome.ADOPTED, due_date__lt=today) & _not_closed()


def resolution_number(year: int, ordinal: int, sequence: int) -> str:
    """«2025/2/1»: the resolution's year, its session's number in the year, its place in the session."""
    return f"{year}/{ordinal}/{sequence}"


class Decision(Searchable):
    """What a resolution says, numbered «year/session/sequence» (2025/2/1), with its vote: the fields and
    rules of a working `Resolution` and of a `PublishedResolution` alike (each has a `session` with a
    year, an ordinal and a date)."""

    session: Session | PublishedSession  # each one's own foreign key

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")
        DEFERRED = "deferred", _("deferred")

    # With the session's year and ordinal (unique per board) this makes the number unique per board.
    sequence = models.PositiveSmallIntegerField(
        _("sequence within the session"),
        blank=True,
        help_text=_("Left empty, the number after the last resolution."),
    )
    title = models.CharField(_("title"), max_length=500)
    title_fr = models.CharField(pgettext_lazy("heading", "title in French"), max_length=500, blank=True)
    text = models.TextField(
        _("operative text"), max_length=RESOLUTION_TEXT, help_text=limit_help(RESOLUTION_TEXT)
    )
    text_fr = models.TextField(
        _("operative text in French"),
        blank=True,
        max_length=RESOLUTION_TEXT,
        help_text=limit_help(RESOLUTION_TEXT),
    )
    unanimous = models.BooleanField(_("unanimous"), default=False)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, default=Outcome.ADOPTED)
    responsible_unit = models.CharField(_("responsible unit"), max_length=300, blank=True)
    responsible_unit_fr = models.CharField(_("responsible unit in French"), max_length=300, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Title, text and responsible unit as the search compares them (meetings.text.search.normalize).
    searched_fields = ("title", "title_fr", "text", "text_fr", "responsible_unit", "responsible_unit_fr")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    @property
    def number(self) -> str:
        return resolution_number(self.session.year, self.session.ordinal, self.sequence)

    def get_absolute_url(self) -> str:
        """Its page in the register (the public reads it once its session's minutes are published)."""
        session = self.session
        return reverse("decisions:resolution_detail", args=[session.year, session.ordinal, self.sequence])

    @property
    def number_parts(self) -> tuple[int, int, int]:
        """The number as figures, (2025, 2, 1), for sorting: a board's resolutions in the order taken."""
        return (self.session.year, self.session.ordinal, self.sequence)

    def is_overdue_on(self, day: datetime.date, status: str | None) -> bool:
        """Whether, its follow-up status being `status`, the resolution is overdue on `day`: the rule that
        `_overdue` states for the database (a test holds the two to the same answers)."""
        return (
            self.outcome == self.Outcome.ADOPTED
            and self.due_date is not None
            and self.due_date < day
            and status not in FollowUp.CLOSED
        )

    @property
    def votes_text(self) -> str:
        """«بالإجماع», or the counts of a divided vote; "" when no vote was counted."""
        if self.unanimous:
            return gettext("unanimously")
        if self.votes_total:
            return gettext("for: %(yes)s, against: %(no)s, abstentions: %(abstain)s") % {
                "yes": self.votes_for or 0,
                "no": self.votes_against or 0,
                "abstain": self.votes_abstain or 0,
            }
        return ""

    @property
    def latest_status_label(self) -> str:
        """The label of the `latest_status` annotation (`with_latest_status`), "" when there is none."""
        latest = getattr(self, "latest_status", None)
        return FollowUp.Status(latest).label if latest else ""

    @property
    def votes_total(self) -> int:
        return (self.votes_for or 0) + (self.votes_against or 0) + (self.votes_abstain or 0)


class Resolution(NumberedInSession, Decision, RecordRow):
    """A decision of a board as the secretariat records it in a session's record."""

    number_field = "sequence"
    # A row of a written consultation's draft; its closing writes the result (decisions' migration 0020
    # says the same to the database), the text's search column follows the text.
    consultation_draft = True
    written_at_closing = (
        "search_text",
        "outcome",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "unanimous",
    )

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="resolutions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolutions",
    )

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["session", "sequence"]
        constraints = [
            at_most("text", RESOLUTION_TEXT),
            at_most("text_fr", RESOLUTION_TEXT),
            models.UniqueConstraint(
                fields=["session", "sequence"],
                name="resolution_unique_number",
                violation_error_message=_("A resolution with this number already exists."),
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1),
                name="resolution_sequence_positive",
                violation_error_message=_("A resolution's number starts at 1."),
            ),
            models.CheckConstraint(
                condition=Q(unanimous=False)
                | (Q(votes_against__isnull=True) | Q(votes_against=0))
                & (Q(votes_abstain__isnull=True) | Q(votes_abstain=0)),
                name="resolution_unanimous_has_no_dissent",
                violation_error_message=_("A unanimous vote has no votes against and no abstentions."),
            ),
        ]

    # The admin sets this to the quorum of the attendance and the declarations of interest submitted on
    # the same page, for an agenda item given by its number there (`agenda_position`, set by the form);
    # elsewhere the stored rows give it (`Session.item_quorum`).
    page_quorum: "Callable[[int | None], Quorum] | None" = None
    # The status last reported, on the rows of `ResolutionQuerySet.with_latest_status` (and `open_at`).
    latest_status: str | None

    def clean(self) -> None:
        super().clean()
        session = parent_session(self)
        if session is None:
            return
        item = self.agenda_item if self.agenda_item_id else None
        if item is not None and item.session_id != session.pk:
            raise ValidationError({"agenda_item": _("This agenda item belongs to another session.")})
        quorum = self._quorum(session, item)
        problem = self.quorum_problem(quorum) if quorum is not None else ""
        if problem:
            raise ValidationError(problem)

    def save(self, *args, **kwargs) -> None:
        # The rule of the declarations of interest holds from anywhere (the shell too); the admin's page
        # checked it already, with the rows submitted beside the resolution, which it saves one by one.
        item = self.agenda_item if self.agenda_item_id else None
        if self.page_quorum is None and item is not None and item.standing_aside:
            # Counted from the rows as stored, on a session of its own (the caller's keeps its cache).
            session = Session.objects.select_related("board").get(pk=self.session_id)
            problem = self.quorum_problem(session.item_quorum(item))
            if problem:
                raise ValidationError(problem, code="quorum")
        super().save(*args, **kwargs)

    def _quorum(self, session: Session, item: AgendaItem | None) -> "Quorum | None":
        if self.page_quorum is not None:
            position = getattr(self, "agenda_position", item.position if item is not None else None)
            return self.page_quorum(position)
        return session.item_quorum(item) if session.pk else None

    def quorum_problem(self, quorum: Quorum) -> str:
        """Why the resolution cannot stand with the quorum of its agenda item as `quorum` counts it, ""
        when it can: more votes than members counted to cast them; or adopted when the members who
        declared an interest in the item, standing aside, took its quorum away."""
        counted = quorum.counted
        if self.votes_total > counted:
            # The sentence agrees with the number of members (none, one, several; Arabic's six forms); with
            # any member there, the votes are more than one.
            if counted == 0:
                message = ngettext(
                    "%(total)d vote was cast but no voting member was present or represented.",
                    "%(total)d votes were cast but no voting member was present or represented.",
                    self.votes_total,
                )
            else:
                message = ngettext(
                    "%(total)d votes were cast but only %(counted)d voting member was present or represented.",
                    "%(total)d votes were cast but only %(counted)d voting members were present or represented.",
                    counted,
                )
            return message % {"total": self.votes_total, "counted": counted}
        if self.outcome == self.Outcome.ADOPTED and quorum.stood_aside and not quorum.reached:
            return ngettext(
                "The members who declared an interest in this agenda item stand aside from it; without "
                "them, %(counted)d voting member is counted where %(required)d are required: the resolution "
                "cannot be recorded as adopted.",
                "The members who declared an interest in this agenda item stand aside from it; without "
                "them, %(counted)d voting members are counted where %(required)d are required: the "
                "resolution cannot be recorded as adopted.",
                counted,
            ) % {"counted": counted, "required": quorum.required}
        return ""


# The register's and the dashboard's key for "no follow-up yet", beside FollowUp.Status's values.
NO_FOLLOW_UP = "none"


class FollowUp(RecordRow):
    """How far an earlier resolution was carried out, as reported at a later session."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    # A resolution reported done or cancelled has nothing left to carry out.
    CLOSED = (Status.DONE, Status.CANCELLED)

    resolution = models.ForeignKey(
        Resolution, verbose_name=_("resolution"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    session = models.ForeignKey(
        Session, verbose_name=_("reported at session"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.IN_PROGRESS)
    note = models.TextField(_("note"), blank=True, max_length=NOTE_TEXT, help_text=limit_help(NOTE_TEXT))
    note_fr = models.TextField(
        _("note in French"), blank=True, max_length=NOTE_TEXT, help_text=limit_help(NOTE_TEXT)
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        # A session's follow-ups in the order of the resolutions' numbers (2024/2/3 before 2025/1/1).
        ordering = [
            "session",
            "resolution__session__date",
            "resolution__session__ordinal",
            "resolution__sequence",
        ]
        constraints = [
            at_most("note", NOTE_TEXT),
            at_most("note_fr", NOTE_TEXT),
            models.UniqueConstraint(
                fields=["resolution", "session"],
                name="follow_up_once_per_session",
                violation_error_message=_(
                    "This resolution's follow-up is already recorded for this session."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resolution.number} — {self.get_status_display()}"

    @property
    def is_overdue(self) -> bool:
        """Whether the resolution was overdue on the session's date, as this report tells its status."""
        return self.resolution.is_overdue_on(self.session.date, self.status)

    def clean(self) -> None:
        super().clean()
        session = parent_session(self)
        if session is None or self.resolution_id is None or session.date is None:
            return
        earlier = self.resolution.session
        if earlier.board_id != session.board_id:
            raise ValidationError({"resolution": _("This resolution was taken by another board.")})
        if earlier.date >= session.date:
            raise ValidationError(
                {"resolution": _("Only a resolution of an earlier session can be followed up.")}
            )


# What the public reads --------------------------------------------------------------------------------


class PublishedResolutionQuerySet(DecisionQuerySet):
    def public(self) -> "PublishedResolutionQuerySet":
        """What the public reads: of the board the public site is about."""
        return self.filter(of_the_public_site("session__board"))

    def keep_latest_status(self, board_id: int, numbers: set["ResolutionNumber"]) -> None:
        """Set `latest_status` on the board's resolutions numbered `numbers` (year, ordinal, sequence):
        the status at the latest published session that reported on each (by its number, as that
        session's signed minutes name it), or None. Kept on the row rather than looked up at every read,
        so that the register sorts, filters and counts 20,000 resolutions by it without a subquery per
        row; refreshed at each publication for the numbers it may change (`fill_published_rows`)."""
        if not numbers:
            return
        latest: dict[ResolutionNumber, str] = {}
        reports = (
            PublishedFollowUp.objects.filter(board=board_id)
            .filter(_any_number(numbers, "resolution_year", "resolution_ordinal", "resolution_sequence"))
            .order_by("reported_on", "reported_at_ordinal")
            .values_list("resolution_year", "resolution_ordinal", "resolution_sequence", "status")
        )
        for year, ordinal, sequence, status in reports:
            latest[(year, ordinal, sequence)] = status  # the later report wins
        resolutions = self.filter(session__board=board_id).filter(
            _any_number(numbers, "session__year", "session__ordinal", "sequence")
        )
        changed = []
        for resolution in resolutions.select_related("session").only(
            "latest_status", "sequence", "session__year", "session__ordinal"
        ):
            now = latest.get(resolution.number_parts)
            if resolution.latest_status != now:
                resolution.latest_status = now
                changed.append(resolution)
        self.model.objects.bulk_update(changed, ["latest_status"])


ResolutionNumber = tuple[int, int, int]


def _any_number(numbers: set[ResolutionNumber], year: str, ordinal: str, sequence: str) -> Q:
    """Rows numbered one of `numbers`, the number's figures being in the fields named."""
    found = Q(pk__in=[])
    for y, o, s in numbers:
        found |= Q(**{year: y, ordinal: o, sequence: s})
    return found


class PublishedResolution(Decision):
    """A resolution as the latest published minutes of its session signed it."""

    session = models.ForeignKey(
        PublishedSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="resolutions"
    )
    agenda_item = models.ForeignKey(
        PublishedAgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="resolutions",
    )
    # NULL when none: as the working resolutions' annotation (`with_latest_status`) and the exports say it.
    latest_status = models.CharField(  # noqa: DJ001
        _("latest follow-up"),
        max_length=20,
        choices=FollowUp.Status,
        null=True,
        blank=True,
        help_text=_("As the latest published session reporting on it gave it (kept at publication)."),
    )

    # The members who declared an interest in the resolution's agenda item, and so did not vote on it:
    # their names in both languages and the interest's nature, as the signed record gives them.
    stood_aside = models.JSONField(_("did not vote, having declared an interest"), default=list, blank=True)

    objects = PublishedResolutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("published resolution")
        verbose_name_plural = _("published resolutions")
        ordering = ["session", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "sequence"], name="published_resolution_unique_number"
            ),
        ]
        # For the register at scale, read from the indexes alone rather than from the wide rows (titles,
        # texts, both languages, their search text): which rows a page holds (`NarrowPaginator`), and
        # the responsible units the filter offers.
        indexes = [
            models.Index(fields=["session", "sequence", "id"], name="published_resolution_paged"),
            models.Index(fields=["responsible_unit", "session"], name="published_resolution_unit"),
        ]

    def stood_aside_names(self) -> list[str]:
        """Who did not vote on it, having declared an interest, named in the reader's language."""
        french = (get_language() or "").startswith("fr")
        return [(person["name_fr"] if french else "") or person["name_ar"] for person in self.stood_aside]

    def follow_ups(self) -> "models.QuerySet[PublishedFollowUp]":
        """What the published sessions reported on this resolution, oldest first."""
        return (
            PublishedFollowUp.objects.filter(
                board=self.session.board_id,
                resolution_year=self.session.year,
                resolution_ordinal=self.session.ordinal,
                resolution_sequence=self.sequence,
            )
            .select_related("session")
            .order_by("reported_on", "reported_at_ordinal")
        )


class PublishedFollowUp(models.Model):
    """A follow-up as the published minutes of the session that reported it signed it: the resolution
    is named by its number, as those minutes name it."""

    session = models.ForeignKey(
        PublishedSession,
        verbose_name=_("reported at session"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    # Copied from the sessions: the register finds a resolution's latest follow-up in this table alone,
    # by one index (the board, the followed resolution's number, the reporting session's date).
    board = models.ForeignKey(Board, verbose_name=_("board"), on_delete=models.PROTECT, related_name="+")
    reported_on = models.DateField(_("date"))
    reported_at_ordinal = models.PositiveSmallIntegerField(_("ordinal within the year"))
    resolution_year = models.PositiveSmallIntegerField(_("year"))
    resolution_ordinal = models.PositiveSmallIntegerField(_("ordinal within the year"))
    resolution_sequence = models.PositiveSmallIntegerField(_("sequence within the session"))
    resolution_title = models.CharField(_("title"), max_length=500)
    resolution_title_fr = models.CharField(
        pgettext_lazy("heading", "title in French"), max_length=500, blank=True
    )
    status = models.CharField(_("status"), max_length=20, choices=FollowUp.Status)
    note = models.TextField(_("note"), blank=True)
    note_fr = models.TextField(_("note in French"), blank=True)

    class Meta:
        verbose_name = _("published follow-up")
        verbose_name_plural = _("published follow-ups")
        ordering = ["session", "resolution_year", "resolution_ordinal", "resolution_sequence"]
        indexes = [
            models.Index(
                fields=[
                    "board",
                    "resolution_year",
                    "resolution_ordinal",
                    "resolution_sequence",
                    "-reported_on",
                    "-reported_at_ordinal",
                ],
                name="published_follow_up_resolution",
            ),
        ]

    def __str__(self) -> str:
        return resolution_number(self.resolution_year, self.resolution_ordinal, self.resolution_sequence)


@receiver(record_published)
def fill_published_rows(sender, published: PublishedSession, record: dict, **kwargs) -> None:
    """The resolutions and follow-ups of a version being published, from its record as signed."""
    items = {item.position: item for item in published.agenda_items.all()}
    declared = {item["position"]: item.get("declarations", []) for item in record["agenda"]}
    resolutions = [
        PublishedResolution(
            session=published,
            agenda_item=items.get(r["agenda_item"]),
            stood_aside=[
                {"name_ar": d["member"]["name_ar"], "name_fr": d["member"]["name_fr"], "reason": d["reason"]}
                for d in declared.get(r["agenda_item"], [])
            ],
            **resolution_fields(r),
        )
        for r in record["resolutions"]
    ]
    for resolution in resolutions:
        resolution.fill_search_text()
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
            resolution_title_fr=f.get("resolution_title_fr", ""),
            **follow_up_fields(f),
        )
        for f in record["follow_ups"]
    )
    # The statuses this publication may change: of its own resolutions (a later session may have
    # reported on them), and of those its follow-ups, or the replaced version's, report on.
    replaced = (
        Minutes.objects.filter(session=published.session_id, published_at__isnull=False)
        .exclude(pk=published.minutes_id)
        .order_by("-version")
        .values_list("record__follow_ups", flat=True)
        .first()
    )
    numbers = {(published.year, published.ordinal, r.sequence) for r in resolutions}
    numbers |= {tuple(f["resolution_parts"]) for f in [*record["follow_ups"], *(replaced or [])]}
    PublishedResolution.objects.keep_latest_status(published.board_id, numbers)
