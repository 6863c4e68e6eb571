"""A session of a board and what happened in it: attendance, agenda, quorum."""

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..text.dates import moroccan_date
from ..text.grammar import in_gender
from ..text.ordinals import feminine_ordinal
from .board import Board, Member, Membership, of_the_public_site
from .record import (
    LONG_TEXT,
    TEXT,
    NumberedInSession,
    RecordRow,
    Searchable,
    SearchQuerySet,
    at_most,
    frozen_message,
    limit_help,
    parent_session,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


# Written consultations are numbered apart from the sessions, from 101 in their year (the first of 2026 is
# 2026/101, its resolution 2026/101/1): the sessions keep 1, 2… whatever was decided in writing between them.
FIRST_WRITTEN = 101


def session_title(kind: str, ordinal: int, year: int) -> str:
    """«الدورة الثانية برسم سنة 2025», «Deuxième session de l'année 2025»; «الاستشارة الكتابية الأولى
    برسم سنة 2026» for a written consultation."""
    if kind == Session.Kind.WRITTEN:
        text = _("written consultation %(ordinal)s of the year %(year)s")
        ordinal -= FIRST_WRITTEN - 1
    elif kind == Session.Kind.EXTRAORDINARY:
        text = _("extraordinary session %(ordinal)s of the year %(year)s")
    else:
        text = _("session %(ordinal)s of the year %(year)s")
    return capfirst(text % {"ordinal": feminine_ordinal(ordinal), "year": year})


class SessionQuerySet(models.QuerySet):
    def agenda_public(self) -> "SessionQuerySet":
        """Sessions of the board the public site is about whose agenda the secretariat chose to show
        before their minutes are published. Once published, the public reads the record as signed
        (`PublishedSession`), never these working rows."""
        published = self.model.minutes_model().objects.published().filter(session=models.OuterRef("pk"))
        return self.filter(
            of_the_public_site(), ~models.Exists(published), is_public=True, cancelled_at__isnull=True
        )

    def last_held_of(self, board: Board) -> "Session | None":
        """The board's last session held (not cancelled, on a day gone by): the one a new session starts
        from, its hours, place and recurring items as they were, not those of a session still to come."""
        held = self.filter(board=board, cancelled_at__isnull=True, date__lt=timezone.localdate())
        return held.order_by("-date", "-ordinal").first()

    def with_record(self) -> "SessionQuerySet":
        """Sessions with their whole record (everything `session_record` reads), in a fixed number of
        queries whatever its size."""
        return self.select_related("board", "chair").prefetch_related(
            Prefetch("attendances", Attendance.objects.select_related("member", "proxy")),
            "agenda_items",
            # Spelled as strings: meetings never imports decisions.
            "agenda_items__declarations__member",
            "resolutions__agenda_item__declarations__member",
            "follow_ups__resolution__session",
        )


class Session(RecordRow):
    """A meeting of a board, ordinary or extraordinary, numbered within its year."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("ordinary")
        EXTRAORDINARY = "extraordinary", _("extraordinary")
        # A draft resolution put to the members in writing between sessions (meetings.convocation.written):
        # its date is the day answers close.
        WRITTEN = "written", _("written consultation")

    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.PROTECT, related_name="sessions"
    )
    # Stored for the uniqueness constraint, always derived from `date` (see clean()).
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    ordinal = models.PositiveSmallIntegerField(
        _("ordinal within the year"),
        blank=True,
        help_text=_("1 for the first session of the year, 2 for the second… Left empty, the next one."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.ORDINARY)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    place_fr = models.CharField(_("place in French"), max_length=300, blank=True)
    chair = models.ForeignKey(
        Member,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chaired_sessions",
    )
    opening = models.TextField(
        _("opening"),
        blank=True,
        max_length=TEXT,
        help_text=limit_help(TEXT, _("How the session opened, as the minutes tell it.")),
    )
    opening_fr = models.TextField(
        _("opening in French"), blank=True, max_length=TEXT, help_text=limit_help(TEXT)
    )
    is_public = models.BooleanField(
        _("agenda public before the minutes"),
        default=False,
        help_text=_("Show the session and its agenda on the public pages before its minutes are published."),
    )
    second_call_of = models.OneToOneField(
        "self",
        verbose_name=_("second convocation of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_call",
        help_text=_("The session whose quorum was not reached, which this one holds again."),
    )
    # A written consultation's: when the answers close, when it was put to the members, when closed.
    closes_at = models.DateTimeField(
        _("answers close at"),
        null=True,
        blank=True,
        help_text=_("For a written consultation: the members answer until then."),
    )
    submitted_at = models.DateTimeField(_("put to the members at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-date", "-ordinal"]
        indexes = [
            # A board's sessions newest first: the order of the public pages, the register and the search,
            # which SQLite then reads in order and stops at the page instead of sorting every resolution.
            models.Index(fields=["board", "-date", "-ordinal"], name="session_board_newest_first"),
        ]
        constraints = [
            at_most("opening", TEXT),
            at_most("opening_fr", TEXT),
            models.UniqueConstraint(
                fields=["board", "year", "ordinal"],
                name="session_unique_ordinal_per_board_and_year",
                violation_error_message=_("This board already has a session with this number in this year."),
            ),
            models.CheckConstraint(
                condition=Q(ordinal__gte=1),
                name="session_ordinal_positive",
                violation_error_message=_("A session's number starts at 1."),
            ),
            models.CheckConstraint(
                condition=Q(kind="written", ordinal__gte=FIRST_WRITTEN, closes_at__isnull=False)
                | (~Q(kind="written") & Q(ordinal__lt=FIRST_WRITTEN)),
                name="session_written_numbered_apart",
                violation_error_message=_(
                    "Written consultations are numbered from 101 in their year, with the day their answers "
                    "close; sessions below 101."
                ),
            ),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(end_time__gt=models.F("start_time")),
                name="session_ends_after_it_starts",
                violation_error_message=_("A session cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        if self.date is None:
            return self.title
        return f"{self.title} — {moroccan_date(self.date)}"

    def save(self, *args, **kwargs) -> None:
        if self.kind == self.Kind.WRITTEN and self.pk is None:
            self.check_written_allowed()
        elif self.kind == self.Kind.WRITTEN:
            self.check_consultation_kept()
        if self.kind == self.Kind.WRITTEN and self.closes_at is not None:
            self.date = timezone.localdate(self.closes_at)
        self.year = self.date.year
        self._number_if_unnumbered()
        super().save(*args, **kwargs)

    # What a written consultation put to the members keeps: what they were told (meetings' migration 0037
    # says the same to the database); and, once closed or withdrawn, when.
    PUT_TO_MEMBERS_KEEPS = ("kind", "board_id", "year", "ordinal", "closes_at", "submitted_at")
    KEPT_ONCE_SET = ("closed_at", "cancelled_at")

    def check_consultation_kept(self) -> None:
        """Once put to the members, a written consultation keeps its board, number and closing time, and
        the time it was put to them; once closed or withdrawn, the time it was."""
        stored = (
            Session.objects.filter(pk=self.pk).values(*self.PUT_TO_MEMBERS_KEEPS, *self.KEPT_ONCE_SET).first()
        )
        if not stored or stored["submitted_at"] is None:
            return
        if stored["closes_at"] != self.closes_at:
            raise ValidationError(
                {"closes_at": _("The members were told when the answers close: it no longer changes.")},
                code="closing_kept",
            )
        changed = [name for name in self.PUT_TO_MEMBERS_KEEPS if getattr(self, name) != stored[name]]
        changed += [name for name in self.KEPT_ONCE_SET if stored[name] not in (None, getattr(self, name))]
        if changed:
            raise ValidationError(
                _("Put to the members, a written consultation keeps its board, its number and its times."),
                code="consultation_kept",
            )

    def was_put_to_members(self) -> bool:
        """A written consultation put to the members, as stored (another object may have put it)."""
        return (
            self.kind == self.Kind.WRITTEN
            and Session.objects.filter(pk=self.pk, submitted_at__isnull=False).exists()
        )

    def takes_written_answers(self) -> bool:
        """A written consultation put to the members, neither closed nor withdrawn, before its closing
        time (`taking_written_answers`, the same rule for a query)."""
        return (
            self.kind == self.Kind.WRITTEN
            and self.submitted_at is not None
            and self.closed_at is None
            and self.cancelled_at is None
            and self.closes_at is not None
            and timezone.now() < self.closes_at
        )

    @classmethod
    def taking_written_answers(cls) -> Q:
        return Q(
            kind=cls.Kind.WRITTEN,
            submitted_at__isnull=False,
            closed_at__isnull=True,
            cancelled_at__isnull=True,
            closes_at__gt=timezone.now(),
        )

    def check_takes_written_answers(self) -> None:
        if not self.takes_written_answers():
            raise ValidationError(
                _(
                    "This consultation takes no answer: it was not put to the members, or it is closed or withdrawn."
                ),
                code="closed",
            )

    def check_written_allowed(self) -> None:
        """A written consultation only on a board whose rules allow it (Board.written_consultation)."""
        if self.board_id is not None and not self.board.written_consultation:
            raise ValidationError(
                {"kind": _("This board's rules do not allow decisions by written consultation.")},
                code="written_not_allowed",
            )

    def _number_if_unnumbered(self) -> None:
        """Left empty, the ordinal is the one after the board's last session of the year (its last written
        consultation's, for a written consultation, numbered from FIRST_WRITTEN)."""
        if self.ordinal is None and self.date is not None and self.board_id is not None:
            written = self.kind == self.Kind.WRITTEN
            same_year = Session.objects.filter(board_id=self.board_id, year=self.date.year).filter(
                Q(ordinal__gte=FIRST_WRITTEN) if written else Q(ordinal__lt=FIRST_WRITTEN)
            )
            last = same_year.aggregate(last=models.Max("ordinal"))["last"]
            self.ordinal = (last or (FIRST_WRITTEN - 1 if written else 0)) + 1

    def get_absolute_url(self) -> str:
        return reverse("meetings:session_detail", kwargs={"year": self.year, "ordinal": self.ordinal})

    def record_session(self) -> "Session":
        return self

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.WRITTEN:
            if self.closes_at is None:
                raise ValidationError({"closes_at": _("A written consultation says when its answers close.")})
            self.date = timezone.localdate(self.closes_at)
            if self._state.adding:
                self.check_written_allowed()
        if self.date is not None:
            self.year = self.date.year
        self._number_if_unnumbered()

    def validate_constraints(self, exclude=None) -> None:
        # Forms never show `year` (clean() derives it), yet the uniqueness it takes part in must be checked.
        super().validate_constraints(exclude=set(exclude or ()) - {"year"})

    # What a session started from this one takes (the admin's «start from the last session»).
    CARRIED_OVER = ("board", "kind", "start_time", "end_time", "place", "place_fr", "chair")
    CARRIED_OVER_ITEM = ("title", "title_fr", "presenter", "presenter_fr", "recurring")

    def carried_over(self) -> dict:
        """This session's board, kind, hours, place and chair, as a new session's form starts with them."""
        return {
            name: getattr(self, f"{name}_id" if name in ("board", "chair") else name)
            for name in self.CARRIED_OVER
        }

    def recurring_items(self) -> list[dict]:
        """The agenda items marked recurring, as a new session's agenda starts with them (renumbered)."""
        items = self.agenda_items.filter(recurring=True).order_by("position")
        return [
            {"position": n, **{name: getattr(item, name) for name in self.CARRIED_OVER_ITEM}}
            for n, item in enumerate(items, start=1)
        ]

    @property
    def title(self) -> str:
        return session_title(self.kind, self.ordinal, self.year or self.date.year)

    @property
    def display_date(self) -> str:
        return moroccan_date(self.date)

    @classmethod
    def minutes_model(cls) -> type[models.Model]:
        """Minutes, reached through the relation: `meetings.models.minutes` imports this module."""
        model = cls.minutes_versions.rel.related_model
        assert isinstance(model, type)  # a reverse relation names its model
        return model

    def current_minutes(self):
        """The latest version of the minutes, whatever its state; None before the first."""
        return self.minutes_versions.order_by("-version").first()

    def published_minutes(self):
        """The latest published version of the minutes, the one the public reads; None before."""
        return self.minutes_versions.published().order_by("-version").first()

    # The record's life: frozen from signature on; a change withdraws approvals given before.

    @property
    def is_frozen(self) -> bool:
        """Once the latest version is signed, the record it certifies cannot change."""
        latest = self.current_minutes()
        return latest is not None and latest.is_signed

    @cached_property
    def is_frozen_as_read(self) -> bool:
        """`is_frozen` as this session object first read it: a page that asks at every permission check
        (the admin's) reads it once. A change itself is refused by `lock_record`, which reads afresh."""
        return self.is_frozen

    @property
    def deletable(self) -> bool:
        """A session entered by mistake is deleted while nobody was told of it: never convened, no minutes
        begun. Once convened, its way out is its cancellation, which tells those convened."""
        return self.pk is None or not (self.convocations.exists() or self.minutes_versions.exists())

    def delete(self, *args, **kwargs):
        # A signed record says so first (RecordRow.delete); one merely convened, that it is cancelled.
        if not self.deletable and not self.is_frozen:
            raise ValidationError(
                _(
                    "This session was convened or has minutes: it is cancelled, not deleted, so that "
                    "those told of it are told again."
                ),
                code="not_deletable",
            )
        return super().delete(*args, **kwargs)

    def lock_record(self) -> None:
        """Called, in a transaction, before any change to the record: refused once the minutes are
        signed. The latest version's row is locked, so that a signature under way is waited for."""
        latest = self.minutes_versions.select_for_update().order_by("-version").first()
        if latest is not None and latest.is_signed:
            raise ValidationError(frozen_message(), code="frozen")

    def record_changed(self) -> None:
        """Called after a change to the record, or to who approves it: approved minutes whose approvals
        no longer hold go back to review (a save that changed nothing leaves them approved)."""
        latest = self.current_minutes()
        if latest is not None:
            latest.recheck_approvals()

    # Seats and quorum on the session's date.

    @cached_property
    def seats(self) -> list[Membership]:
        """The board's seats valid on the session's date, with their members and accounts: read once per
        session object, by the quorum, the record, its fingerprint and the minutes' signature block."""
        return list(self.board.memberships.valid_on(self.date).select_related("member"))

    def voting_memberships(self) -> list[Membership]:
        return [seat for seat in self.seats if seat.has_vote]

    @property
    def quorum_percent(self) -> int:
        """The board's quorum, or its quorum on second convocation for a session that holds another again."""
        return self.board.quorum_share(second_call=self.second_call_of_id is not None)

    @property
    def rules(self) -> dict:
        """The board's rules as this session applies them (`Board.rules`)."""
        return self.board.rules(second_call=self.second_call_of_id is not None)

    def quorum(self, *, aside: "set[int] | frozenset[int]" = frozenset()) -> "Quorum":
        """The quorum as the rules count it, from the voting seats valid on the session's date; for an
        agenda item, without the members in `aside` who declared an interest in it (`item_quorum`)."""
        return Quorum.count(self, self.voting_memberships(), list(self.attendances.all()), aside=aside)

    def item_quorum(self, item: "AgendaItem | None") -> "Quorum":
        """The quorum that applies to `item`'s deliberation and resolutions: the session's, without the
        members who declared an interest in it (meetings.models.interests)."""
        return self.quorum(aside=item.standing_aside if item is not None and item.pk else set())


@dataclass(frozen=True)
class Quorum:
    """Who counts toward the quorum of one session, and whether it is reached."""

    voting_members: int
    present: int
    represented: int
    required: int
    # For an agenda item: the voters counted at the session who stand aside from it, having declared an
    # interest (present, or represented), and those whose proxy they held.
    stood_aside: int = 0

    @classmethod
    def from_record(cls, data: dict) -> "Quorum":
        """The quorum as `session_record` keeps it (`as_record`)."""
        return cls(
            **{field: data[field] for field in ("voting_members", "present", "represented", "required")},
            stood_aside=data.get("stood_aside", 0),
        )

    def as_record(self) -> dict:
        """As the record keeps it; `stood_aside` only where someone did (a session's own quorum never),
        so that records without declarations keep their shape."""
        data = {**dataclasses.asdict(self), "reached": self.reached}
        if not self.stood_aside:
            del data["stood_aside"]
        return data

    @property
    def counted(self) -> int:
        return self.present + self.represented

    @property
    def reached(self) -> bool:
        return self.counted >= self.required

    @classmethod
    def count(
        cls,
        session: Session,
        seats: list[Membership],
        attendances: list["Attendance"],
        *,
        aside: "set[int] | frozenset[int]" = frozenset(),
    ) -> "Quorum":
        """Count present voters, then proxies held by present voters, each holder up to the board's limit.

        Invited members and members whose term does not cover the date are not in `seats`, so neither
        their presence nor a proxy they hold counts. For an agenda item, the members in `aside` (who
        declared an interest in it) stand aside: neither they nor the proxies they hold count, and the
        number they would have made is `stood_aside`. The number required stays the board's: standing
        aside can cost an item its quorum.
        """
        voters = {seat.member_id for seat in seats}
        present = {
            a.member_id
            for a in attendances
            if a.member_id in voters and a.status == Attendance.Status.PRESENT
        }
        held: dict[int, int] = {}
        represented = []
        for a in attendances:
            if a.status != Attendance.Status.REPRESENTED or a.member_id not in voters:
                continue
            if a.proxy_id not in present or not session.board.may_give_another_proxy_to(
                held.get(a.proxy_id, 0)
            ):
                continue
            held[a.proxy_id] = held.get(a.proxy_id, 0) + 1
            represented.append(a)
        standing = [a for a in represented if a.member_id not in aside and a.proxy_id not in aside]
        counted = len(present) + len(represented)
        present -= aside
        # "More than the share", capped at every voter so that a 100% quorum means all of them.
        required = min(len(voters) * session.quorum_percent // 100 + 1, len(voters)) if voters else 1
        return cls(
            voting_members=len(voters),
            present=len(present),
            represented=len(standing),
            required=required,
            stood_aside=counted - len(present) - len(standing),
        )


class Attendance(RecordRow):
    """Whether a member attended a session, and who held their proxy if they were represented."""

    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        REPRESENTED = "represented", _("represented")
        EXCUSED = "excused", _("excused")
        ABSENT = "absent", _("absent")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PRESENT)
    proxy = models.ForeignKey(
        Member,
        verbose_name=_("represented by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proxies_held",
    )

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance")
        ordering = ["session", "pk"]  # the order the secretariat recorded, usually the protocol order
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                name="attendance_once_per_member_and_session",
                violation_error_message=_("This member's attendance is already recorded for this session."),
            ),
            models.CheckConstraint(
                condition=Q(status="represented", proxy__isnull=False)
                | Q(~Q(status="represented"), proxy__isnull=True),
                name="attendance_proxy_iff_represented",
                violation_error_message=_(
                    "A represented member needs the member holding the proxy, and only they do."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(proxy=models.F("member")),
                name="attendance_not_own_proxy",
                violation_error_message=_("A member cannot hold their own proxy."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_status_display()}"

    # The admin's formset sets this to the rows being submitted together, so that the proxy rules
    # see the attendance as it will be, not as it was; elsewhere the stored rows are used.
    siblings: "list[Attendance] | None" = None

    def clean(self) -> None:
        super().clean()
        session = parent_session(self)
        if session is None or session.date is None or session.board_id is None or self.member_id is None:
            return
        if not session.board.memberships.valid_on(session.date).filter(member_id=self.member_id).exists():
            raise ValidationError(
                {"member": _("This person has no seat on the board on the session's date.")}
            )
        if self.status == self.Status.REPRESENTED and self.proxy_id is not None:
            if self.siblings is not None:
                others = [a for a in self.siblings if a is not self]
            else:
                others = list(session.attendances.exclude(pk=self.pk)) if session.pk else []
            self.validate_proxy(session.board, others)

    @property
    def status_label(self) -> str:
        """«حاضر», or «حاضرة» for a woman («présent», «présente»)."""
        return in_gender(
            Attendance.Status(self.status).label, FEMININE_STATUSES.get(self.status), self.member.gender
        )

    def validate_proxy(self, board: Board, others: "list[Attendance]") -> None:
        """A proxy is held by a member present at the session, within the board's limit per holder."""
        holder = next((a for a in others if a.member_id == self.proxy_id), None)
        if holder is not None and holder.status != self.Status.PRESENT:
            raise ValidationError({"proxy": _("The proxy holder must be present at the session.")})
        held = sum(1 for a in others if a.status == self.Status.REPRESENTED and a.proxy_id == self.proxy_id)
        if not board.may_give_another_proxy_to(held):
            raise ValidationError(
                {
                    "proxy": _("This member already holds the %(count)d proxies the board allows.")
                    % {"count": board.max_proxies}
                }
            )


# The feminine forms of the attendance's statuses, for the members whose gender is known.
FEMININE_STATUSES: "dict[str, StrPromise]" = {
    Attendance.Status.PRESENT: pgettext_lazy("woman", "present"),
    Attendance.Status.REPRESENTED: pgettext_lazy("woman", "represented"),
    Attendance.Status.EXCUSED: pgettext_lazy("woman", "excused"),
    Attendance.Status.ABSENT: pgettext_lazy("woman", "absent"),
}


class AgendaItem(NumberedInSession, Searchable, RecordRow):
    """One point of a session's agenda, with what was said about it."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(
        _("position"), blank=True, help_text=_("Left empty, the number after the last item.")
    )
    number_field = "position"
    title = models.CharField(_("title"), max_length=500)
    title_fr = models.CharField(pgettext_lazy("heading", "title in French"), max_length=500, blank=True)
    presenter = models.CharField(_("presented by"), max_length=300, blank=True)
    presenter_fr = models.CharField(_("presented by, in French"), max_length=300, blank=True)
    # Bounded so that a pasted document does not become a 250-page PDF (meetings.models.record); the
    # French versions as their Arabic originals, which they translate.
    summary = models.TextField(_("summary"), blank=True, max_length=TEXT, help_text=limit_help(TEXT))
    summary_fr = models.TextField(
        _("summary in French"), blank=True, max_length=TEXT, help_text=limit_help(TEXT)
    )
    deliberation = models.TextField(
        _("deliberation"),
        blank=True,
        max_length=LONG_TEXT,
        help_text=limit_help(LONG_TEXT, _("What the board discussed.")),
    )
    deliberation_fr = models.TextField(
        _("deliberation in French"), blank=True, max_length=LONG_TEXT, help_text=limit_help(LONG_TEXT)
    )
    recurring = models.BooleanField(
        _("recurring"),
        default=False,
        help_text=_("On the agenda of every session: copied when a session starts from this one."),
    )
    # Title, summary and deliberation, in Arabic and in French, as the search compares them
    # (meetings.text.search.normalize).
    searched_fields = ("title", "title_fr", "summary", "summary_fr", "deliberation", "deliberation_fr")

    objects = SearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"],
                name="agenda_item_unique_position",
                violation_error_message=_("Two agenda items of a session cannot share a position."),
            ),
            at_most("summary", TEXT),
            at_most("summary_fr", TEXT),
            at_most("deliberation", LONG_TEXT),
            at_most("deliberation_fr", LONG_TEXT),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    # The declarations of interest and the item's quorum as a signed record kept them
    # (Minutes.signed_session), where someone stood aside.
    recorded_declarations: list | None = None
    recorded_quorum: "Quorum | None" = None

    @property
    def declared(self) -> list:
        """The declarations of interest in this item (meetings.models.interests): as the signed record
        kept them, or the working rows, read through `.all()` (`with_record` prefetches them)."""
        if self.recorded_declarations is not None:
            return self.recorded_declarations
        return list(self.declarations.all()) if self.pk else []

    @cached_property
    def quorum(self) -> "Quorum":
        """The quorum that applied to this item (`Session.item_quorum`): as the signed record kept it, or
        counted from the working rows."""
        return self.recorded_quorum or self.session.item_quorum(self)

    @property
    def standing_aside(self) -> set[int]:
        """The members who declared an interest in this item, read through `.all()` (`with_record`
        prefetches them)."""
        return {d.member_id for d in self.declared}


MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def validate_pdf_upload(upload) -> None:
    """A session document is a PDF of at most 10 MB: checked by its first bytes, not by its name."""
    if getattr(upload, "_committed", False):
        return  # a stored file was checked when it was uploaded
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("This file is larger than %(megabytes)d MB.")
            % {"megabytes": MAX_DOCUMENT_BYTES // (1024 * 1024)}
        )
    position = upload.tell()
    upload.seek(0)
    head = upload.read(5)
    upload.seek(position)
    if head != b"%PDF-":
        raise ValidationError(_("This file is not a PDF."))


class Document(RecordRow):
    """A document sent to the board for a session (a report, the draft budget), read on the member pages."""

    consultation_draft = True  # a written consultation's documents are its draft's

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="documents"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=300)
    title_fr = models.CharField(pgettext_lazy("heading", "title in French"), max_length=300, blank=True)
    file = models.FileField(
        _("file (PDF)"),
        upload_to="documents/%Y/",
        validators=[FileExtensionValidator(["pdf"]), validate_pdf_upload],
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["session", "agenda_item__position", "title"]

    def __str__(self) -> str:
        return self.title
