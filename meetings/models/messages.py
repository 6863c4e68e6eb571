"""Telling people: the convocations of a session, and every message the app sends.

A message is a row written in the transaction of the change that causes it; the task queue's worker
sends it (meetings.convocation.delivery.deliver), so that nothing is sent from a request and nothing is
lost while the mail server is away.
"""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from .board import Member, Membership
from .session import Attendance, Document, Quorum, Session

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Convocation(models.Model):
    """One notice of a session to its board: the convocation, each update after a change of date, time
    or place (its calendar SEQUENCE one higher), or the cancellation. What it announced is kept, so that
    a later change is seen."""

    class Method(models.TextChoices):
        REQUEST = "request", _("convocation")
        CANCEL = "cancel", _("cancellation")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="convocations"
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    method = models.CharField(_("notice"), max_length=10, choices=Method, default=Method.REQUEST)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    short_notice_reason = models.TextField(
        _("reason for the short notice"),
        blank=True,
        help_text=_("Why the convocation went out fewer days ahead than the board's delay."),
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")
        ordering = ["session", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "sequence"],
                name="convocation_unique_sequence",
                violation_error_message=_("This session already has a convocation with this sequence."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.get_method_display()} {self.sequence}"

    ANNOUNCED = ("date", "start_time", "end_time", "place")

    @classmethod
    def announcing(cls, session: Session, **fields) -> "Convocation":
        """A convocation that announces the session as it stands."""
        return cls(session=session, **{name: getattr(session, name) for name in cls.ANNOUNCED}, **fields)

    def announces(self, session: Session) -> bool:
        """Whether the session is still as this convocation announced it."""
        return all(getattr(self, name) == getattr(session, name) for name in self.ANNOUNCED)

    @property
    def days_ahead(self) -> int:
        return (self.date - timezone.localtime(self.sent_at).date()).days


def session_start(session: "Session | Convocation") -> datetime.datetime:
    """When the session opens (or opened, as a convocation announced it), in the board's time zone: its
    start time, or the start of its day."""
    return datetime.datetime.combine(
        session.date, session.start_time or datetime.time(0), tzinfo=timezone.get_default_timezone()
    )


class AnswerQuerySet(models.QuerySet):
    def as_attendance(self) -> "list[Attendance]":
        """The answers as the attendance they announce (never saved): for the expected quorum, and to start
        the session's attendance from."""
        return [answer.as_attendance() for answer in self]


class Answer(models.Model):
    """A member's answer to the convocation, changeable until the session opens: attending, excused, or
    a proxy given to a voting member (within the board's limit of proxies per holder)."""

    class Choice(models.TextChoices):
        ATTEND = "attend", _("I will attend")
        EXCUSED = "excused", _("I am excused")
        PROXY = "proxy", _("I give my proxy to")

    class Channel(models.TextChoices):
        """How the answer came: from the member (their page, the link of their convocation), or to the
        secretariat, which recorded it."""

        PAGE = "page", _("the member's page")
        LINK = "link", _("the link of the convocation")
        PHONE = "phone", _("telephone")
        LETTER = "letter", _("letter")
        EMAIL = "email", _("email to the secretariat")
        IN_PERSON = "in_person", _("in person")

        @classmethod
        def given_by_the_member(cls) -> "set[str]":
            return {cls.PAGE, cls.LINK}

        @classmethod
        def recorded(cls) -> "list[tuple[str, str]]":
            """The ways an answer reaches the secretariat, which records it."""
            return [(c.value, str(c.label)) for c in cls if c not in cls.given_by_the_member()]

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="answers"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="answers"
    )
    choice = models.CharField(_("answer"), max_length=10, choices=Choice)
    proxy = models.ForeignKey(
        Member,
        verbose_name=_("proxy given to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proxies_promised",
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    channel = models.CharField(_("answered by"), max_length=10, choices=Channel, default=Channel.PAGE)
    # The secretariat's account that recorded an answer given by phone, letter or in person; none when the
    # member answered themself (on their page, or by the personal link of their convocation).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer to the convocation")
        verbose_name_plural = _("answers to the convocation")
        ordering = ["session", "member__name_ar"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                name="answer_once_per_member_and_session",
                violation_error_message=_("This member has already answered for this session."),
            ),
            models.CheckConstraint(
                condition=Q(choice="proxy", proxy__isnull=False) | Q(~Q(choice="proxy"), proxy__isnull=True),
                name="answer_proxy_iff_proxy_given",
                violation_error_message=_("A proxy is given to a named member, and only with that answer."),
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["page", "link"], recorded_by__isnull=True)
                | Q(~Q(channel__in=["page", "link"]), recorded_by__isnull=False),
                name="answer_recorded_by_whom_it_reached",
                violation_error_message=_(
                    "An answer the secretariat records names who recorded it; one the member gave does not."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(proxy=models.F("member")),
                name="answer_not_own_proxy",
                violation_error_message=_("A member cannot give their proxy to themselves."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_choice_display()}"

    def summary(self) -> str:
        """The answer as the secretariat reads it: «will attend», «excused», «proxy to …»."""
        if self.choice == self.Choice.PROXY and self.proxy is not None:
            return pgettext("answer", "proxy to %(name)s") % {"name": self.proxy.name}
        return str(ANSWER_SUMMARIES[self.choice])

    def as_attendance(self) -> Attendance:
        """The attendance this answer announces (never saved)."""
        statuses: dict[str, str] = {
            self.Choice.ATTEND: Attendance.Status.PRESENT,
            self.Choice.EXCUSED: Attendance.Status.EXCUSED,
            self.Choice.PROXY: Attendance.Status.REPRESENTED,
        }
        status = statuses[self.choice]
        return Attendance(
            session_id=self.session_id, member_id=self.member_id, status=status, proxy_id=self.proxy_id
        )

    def check_rules(self, seats: "list[Membership]") -> None:
        """The rules of an answer, given the seats on the session's date: before the session opens, by a
        seated member; a proxy from a voting member to another who attends and holds fewer proxies than
        the board allows; and no one who holds proxies becomes absent while they do."""
        session = self.session
        if session.cancelled_at is not None:
            raise ValidationError(_("This session is cancelled."), code="cancelled")
        if timezone.now() >= session_start(session):
            raise ValidationError(_("The session has opened: answers are closed."), code="closed")
        if self.member_id not in {seat.member_id for seat in seats}:
            raise ValidationError(_("Only a member seated on the session's date answers."), code="no_seat")
        voters = {seat.member_id for seat in seats if seat.has_vote}
        if self.choice != self.Choice.ATTEND:
            holding = [
                a.member for a in session.answers.filter(proxy_id=self.member_id).select_related("member")
            ]
            if holding:
                names = pgettext("list separator", ", ").join(member.name for member in holding)
                raise ValidationError(
                    _("You hold the proxy of %(names)s: they must choose another holder first.")
                    % {"names": names},
                    code="holding",
                )
        if self.choice != self.Choice.PROXY:
            return
        if self.member_id not in voters:
            raise ValidationError(_("An advisory seat has no vote to give."), code="no_vote")
        if self.proxy_id not in voters or self.proxy_id == self.member_id:
            raise ValidationError({"proxy": _("The proxy goes to another voting member of the board.")})
        if self.proxy_id not in {seat.member_id for seat in proxy_holders(session, seats, self.member_id)}:
            raise ValidationError(
                {
                    "proxy": _(
                        "This member will not attend, or already holds the %(count)d proxies the board allows."
                    )
                    % {"count": session.board.max_proxies}
                }
            )


def proxies_held(session: Session, exclude_member: int | None = None) -> dict[int, int]:
    """How many proxies each member holds for the session, by the answers (`exclude_member`'s aside)."""
    counts = (
        session.answers.filter(choice=Answer.Choice.PROXY)
        .exclude(member_id=exclude_member)
        .values("proxy_id")
        .annotate(n=models.Count("pk"))
    )
    return {row["proxy_id"]: row["n"] for row in counts}


def proxy_holders(session: Session, seats: "list[Membership]", giver_id: int) -> "list[Membership]":
    """The seats that may hold `giver_id`'s proxy: another voting member, who has not answered that they
    will be away, and holds fewer proxies than the board allows. The one rule behind the member page's
    choices and the check of an answer."""
    away = set(session.answers.exclude(choice=Answer.Choice.ATTEND).values_list("member_id", flat=True))
    held = proxies_held(session, exclude_member=giver_id)
    return [
        seat
        for seat in seats
        if seat.has_vote
        and seat.member_id != giver_id
        and seat.member_id not in away
        and session.board.may_give_another_proxy_to(held.get(seat.member_id, 0))
    ]


# The answers in the third person, as the secretariat reads them (their choices are in the member's words).
ANSWER_SUMMARIES: "dict[str, StrPromise]" = {
    Answer.Choice.ATTEND: pgettext_lazy("answer", "will attend"),
    Answer.Choice.EXCUSED: pgettext_lazy("answer", "excused"),
    Answer.Choice.PROXY: pgettext_lazy("answer", "gives a proxy"),
}


def expected_quorum(session: Session, answers: "list[Answer] | None" = None) -> Quorum:
    """The quorum the answers announce (the session's, unless given), counted by the attendance's rules."""
    announced = [answer.as_attendance() for answer in (session.answers.all() if answers is None else answers)]
    return Quorum.count(session, session.voting_memberships(), announced)


class Message(models.Model):
    """One e-mail to one person, in their language, as it was composed; its delivery as it went."""

    class Kind(models.TextChoices):
        CONVOCATION = "convocation", _("convocation")
        CONVOCATION_UPDATE = "convocation_update", _("convocation changed")
        CANCELLATION = "cancellation", _("session cancelled")
        CONVOCATION_WITHDRAWN = "convocation_withdrawn", _("no longer convened")
        CONVOCATION_REMINDER = "convocation_reminder", _("session reminder")
        REVIEW = "review", _("minutes to review")
        APPROVAL_AWAITED = "approval_awaited", _("minutes awaiting approval")
        APPROVAL_REMINDER = "approval_reminder", _("approval reminder")
        APPROVALS_WITHDRAWN = "approvals_withdrawn", _("approvals withdrawn")
        APPROVED = "approved", _("minutes approved, to seal")
        PUBLISHED = "published", _("minutes published")
        COMMENT = "comment", _("new comment")
        REPLY = "reply", _("comment answered")
        INVITATION = "invitation", _("account invitation")
        PASSWORD_RESET = "password_reset", _("password reset")
        ACCOUNT_CHANGED = "account_changed", _("account changed")
        WRITTEN_CONSULTATION = "written_consultation", _("written consultation")
        WRITTEN_RESULT = "written_result", _("result of a written consultation")
        WRITTEN_WITHDRAWN = "written_withdrawn", _("written consultation withdrawn")

    class Status(models.TextChoices):
        PENDING = "pending", _("to send")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        UNREACHABLE = "unreachable", _("no address")

    kind = models.CharField(_("message kind"), max_length=30, choices=Kind)
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    convocation = models.ForeignKey(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    comment = models.ForeignKey(
        "Comment",
        verbose_name=_("comment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    address = models.EmailField(_("address"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"))
    calendar = models.TextField(_("calendar invitation"), blank=True)
    documents = models.ManyToManyField(Document, verbose_name=_("attached documents"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="message_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | Q(~Q(status="sent"), sent_at__isnull=True),
                name="message_sent_iff_sent_at",
                violation_error_message=_("A message has a sending time once sent, and only then."),
            ),
            models.CheckConstraint(
                condition=Q(status="unreachable") | ~Q(address=""),
                name="message_address_unless_unreachable",
                violation_error_message=_("A message to send needs an address."),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    # Waits between attempts while the mail server refuses or does not answer; then the message fails
    # and stays listed for the secretariat, who can send it again.
    RETRY_DELAYS = (
        datetime.timedelta(seconds=30),
        datetime.timedelta(minutes=2),
        datetime.timedelta(minutes=10),
        datetime.timedelta(hours=1),
        datetime.timedelta(hours=6),
    )

    def next_attempt_delay(self) -> datetime.timedelta | None:
        """How long to wait before the next attempt after `attempts` failed ones; None to give up."""
        if self.attempts > len(self.RETRY_DELAYS):
            return None
        return self.RETRY_DELAYS[self.attempts - 1]
