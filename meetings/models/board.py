"""The board and the people who sit on it."""

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..text import grammar
from ..text.dates import moroccan_date
from ..text.grammar import in_gender
from .duties import (
    APPROVING_ROLES,
    DutyLog,
    account_conflict_message,
    acting_user,
    holds_approving_seat,
    is_secretariat,
    refuse,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def _localized(obj: models.Model, field: str) -> str:
    """The French value in French when there is one, the Arabic value otherwise."""
    if (get_language() or "").startswith("fr"):
        return getattr(obj, f"{field}_fr") or getattr(obj, f"{field}_ar")
    return getattr(obj, f"{field}_ar")


def of_the_public_site(board: str = "board") -> Q:
    """What the public site shows is of one board, the home board (`Board.is_home`): the one rule behind
    every `public()` queryset, given the path from the rows to their board ("session__board")."""
    return Q(**{f"{board}__is_home": True})


class BoardQuerySet(models.QuerySet):
    def home(self) -> "Board | None":
        """The board the public site is about."""
        return self.filter(is_home=True).first()


class SignedBy(models.TextChoices):
    """Who signs a board's minutes (its founding text or internal rules say): their signatures are the
    approvals the minutes need before the seal."""

    PRESIDENT_AND_RAPPORTEUR = "president_and_rapporteur", _("the president and the rapporteur")
    PRESIDENT = "president", _("the president alone")


class WrittenMajority(models.TextChoices):
    """What adopts a draft resolution put to the members in writing between sessions."""

    CAST = "cast", _("more votes for than against, among the answers")
    MEMBERS = "members", _("more than half of the voting members")
    TWO_THIRDS = "two_thirds", _("two thirds of the voting members")
    UNANIMITY = "unanimity", _("every voting member")


class Board(models.Model):
    """An administrative board (المجلس الإداري) of a public institution, with the rules its founding
    text or internal rules set: quorums, proxies, delays, who signs the minutes, decisions in writing.
    The cycle obeys them, and the minutes cite those they applied (`rules`)."""

    SignedBy = SignedBy
    WrittenMajority = WrittenMajority

    name_ar = models.CharField(_("name in Arabic"), max_length=200, unique=True)
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    institution_ar = models.CharField(_("institution in Arabic"), max_length=200, blank=True)
    institution_fr = models.CharField(_("institution in French"), max_length=200, blank=True)
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (percent of voting members)"),
        default=50,
        help_text=_("The quorum is reached when more than this share of the voting members is counted."),
    )
    max_proxies = models.PositiveSmallIntegerField(
        _("proxies a member may hold"),
        default=1,
        help_text=_("How many absent members one present member may represent."),
    )
    secretariat_email = models.EmailField(
        _("secretariat's address"),
        blank=True,
        help_text=_(
            "The shared address of the board's secretariat: the organizer of the convocations, "
            "where members' replies go, and where the secretariat is told of comments."
        ),
    )
    convocation_days = models.PositiveSmallIntegerField(
        _("convocation delay (days)"),
        default=8,
        help_text=_("The convocation is sent at least this many days before the session."),
    )
    minutes_days = models.PositiveSmallIntegerField(
        _("minutes delay (days)"),
        default=15,
        help_text=_("The draft minutes are sent to the members within this many days after the session."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder delay (days)"),
        default=5,
        help_text=_(
            "The president and the rapporteur are reminded of minutes still awaiting their approval "
            "after this many days."
        ),
    )
    second_call_quorum_percent = models.PositiveSmallIntegerField(
        _("quorum on second convocation (percent of voting members)"),
        default=0,
        help_text=_(
            "When the first convocation did not reach the quorum, the second one needs more than "
            "this share of the voting members (0: the members present deliberate validly)."
        ),
    )
    minutes_signed_by = models.CharField(
        _("the minutes are signed by"),
        max_length=30,
        choices=SignedBy,
        default=SignedBy.PRESIDENT_AND_RAPPORTEUR,
        help_text=_("Their own signatures approve the minutes, before the institution's seal."),
    )
    written_consultation = models.BooleanField(
        _("written consultation allowed"),
        default=False,
        help_text=_(
            "The board may decide in writing between sessions, on a draft resolution put to its members."
        ),
    )
    written_majority = models.CharField(
        _("majority of a written consultation"),
        max_length=20,
        choices=WrittenMajority,
        default=WrittenMajority.MEMBERS,
    )
    written_consultation_days = models.PositiveSmallIntegerField(
        _("answer delay of a written consultation (days)"),
        default=8,
        help_text=_("The members have at least this many days to answer a written consultation."),
    )
    is_home = models.BooleanField(
        _("shown on the public site"),
        default=False,
        help_text=_("The public pages show the sessions of this board; only one board can be shown."),
    )

    objects = BoardQuerySet.as_manager()

    class Meta:
        verbose_name = _("board")
        verbose_name_plural = _("boards")
        ordering = ["name_ar"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_home"],
                condition=Q(is_home=True),
                name="board_single_home",
                violation_error_message=_("Another board is already shown on the public site."),
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__lte=100),
                name="board_quorum_percent_at_most_100",
                # Doubled: Django fills the message in with %-formatting (the constraint's name).
                violation_error_message=_("The quorum share cannot exceed 100%%."),
            ),
            models.CheckConstraint(
                condition=Q(second_call_quorum_percent__lte=100),
                name="board_second_call_quorum_percent_at_most_100",
                violation_error_message=_("The quorum share cannot exceed 100%%."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def may_give_another_proxy_to(self, holder_holds: int) -> bool:
        """Whether a member who already holds `holder_holds` proxies for a session may be given one more:
        the board's maximum (`max_proxies`), the one rule behind the members' answers, the attendance
        entered by the secretariat and the quorum."""
        return holder_holds < self.max_proxies

    @property
    def signing_roles(self) -> tuple[str, ...]:
        """The seats whose holders sign, hence approve, the minutes: the president's, and the rapporteur's
        where the rules say so."""
        if self.minutes_signed_by == SignedBy.PRESIDENT:
            return (Membership.Role.PRESIDENT,)
        return (Membership.Role.PRESIDENT, Membership.Role.RAPPORTEUR)

    def written_adopts(self, yes: int, no: int, voting: int) -> bool:
        """Whether a written consultation answered `yes` for and `no` against, by a board of `voting`
        voting members, adopts its draft, by the board's majority (`written_majority`)."""
        match self.written_majority:
            case WrittenMajority.CAST:
                return yes > no
            case WrittenMajority.TWO_THIRDS:
                return 3 * yes >= 2 * voting and yes > 0
            case WrittenMajority.UNANIMITY:
                return yes == voting and yes > 0
            case _:  # more than half of the voting members
                return 2 * yes > voting

    def quorum_share(self, *, second_call: bool = False) -> int:
        """The share of the voting members a session must count (more than it): on second convocation,
        the board's second quorum."""
        return self.second_call_quorum_percent if second_call else self.quorum_percent

    def rules(self, *, second_call: bool = False) -> dict:
        """The rules a session of this board applies, as its record keeps them and its minutes cite them
        (`second_call`: the session holds again one whose quorum was not reached)."""
        return {
            "quorum_percent": self.quorum_share(second_call=second_call),
            "second_call": second_call,
            "max_proxies": self.max_proxies,
            "signed_by": list(self.signing_roles),
        }

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def institution(self) -> str:
        return _localized(self, "institution")

    def recheck_approvals(self) -> None:
        """Approved minutes of this board go back to review if a change (of a seat, a name, an account)
        means their approvals no longer hold."""
        for session in self.sessions.filter(minutes_versions__state="approved").distinct():
            session.record_changed()


def signing_seats(board: str = "board") -> Q:
    """The seats whose holders sign their board's minutes (`Board.signing_roles`), as a filter on seats
    (`board` is the path from the seat to its board)."""
    return Q(role=Membership.Role.PRESIDENT) | Q(
        role=Membership.Role.RAPPORTEUR, **{f"{board}__minutes_signed_by": SignedBy.PRESIDENT_AND_RAPPORTEUR}
    )


class Gender(models.TextChoices):
    """Known, it puts what is said of a person in the feminine where the language wants it («الرئيسة»,
    «حاضرة», «présidente», «présente»); unknown, the usual masculine forms stay."""

    FEMALE = grammar.FEMALE, _("woman")
    MALE = "male", _("man")


class Member(models.Model):
    """A person who sits, or sat, on a board."""

    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    title_ar = models.CharField(_("title in Arabic"), max_length=300, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=300, blank=True)
    gender = models.CharField(
        _("gender"),
        max_length=10,
        choices=Gender,
        blank=True,
        help_text=_("Puts the titles and words said of this member in the feminine where the language does."),
    )
    email = models.EmailField(
        _("email"), blank=True, help_text=_("Where the convocations and the notices of the minutes go.")
    )
    language = models.CharField(
        _("language of the messages"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="ar",
        help_text=_("The language of the convocations and notices sent to this member."),
    )
    # Where the member's own signing key is kept: a credential of the accredited provider's remote signing
    # service (meetings.seal.personal), which signs only once the person gave it their PIN. A wrong entry
    # signs nothing: the certificate must bear the member's name.
    signing_credential = models.CharField(
        _("signing credential"),
        max_length=200,
        blank=True,
        help_text=_(
            "The identifier of this member's credential at the signing service (for the president and the "
            "rapporteur, who sign the minutes)."
        ),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name_ar"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        stored = self._stored()
        self._check_account_change(stored)  # before the transaction opens: a refusal stays in the log
        before, address_before = (stored["user_id"], stored["email"]) if stored else (None, None)
        credential_before = stored["signing_credential"] if stored else None
        with transaction.atomic():
            super().save(*args, **kwargs)
            if credential_before is not None and credential_before != self.signing_credential:
                # Which key at the signing service signs as this member: a wrong one signs nothing (the
                # certificate bears another name), but who pointed it where is kept.
                DutyLog.note(
                    DutyLog.Kind.SIGNING,
                    gettext("Signing credential: %(before)s → %(after)s")
                    % {"before": credential_before or "—", "after": self.signing_credential or "—"},
                    member=self,
                    about=self.name_ar,
                )
            if address_before is not None and address_before.lower() != self.email.lower():
                # The secretariat's to keep, for messages only: it never moves a sign-in
                # (meetings.accounts.invitations).
                DutyLog.note(
                    DutyLog.Kind.CONTACT,
                    gettext("Contact address: %(before)s → %(after)s")
                    % {"before": address_before or "—", "after": self.email or "—"},
                    member=self,
                    about=self.name_ar,
                )
            if self.user_id != before:
                DutyLog.note(
                    DutyLog.Kind.ACCOUNT,
                    gettext("Account: %(before)s → %(after)s")
                    % {"before": _username(before), "after": _username(self.user_id)},
                    member=self,
                    about=self.name_ar,
                )
            for board in Board.objects.filter(memberships__member=self).distinct():
                board.recheck_approvals()

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def title(self) -> str:
        return _localized(self, "title")

    def clean(self) -> None:
        self._check_account_change(self._stored())

    def _stored(self) -> Mapping[str, Any] | None:
        """The linked account, the contact address and the signing credential as saved, in one query (None
        for a new member)."""
        fields = ("user_id", "email", "signing_credential")
        return Member.objects.filter(pk=self.pk).values(*fields).first() if self.pk else None

    def _check_account_change(self, stored: Mapping[str, Any] | None) -> None:
        """Check a change of the linked account since `stored` (`check_account`)."""
        if self.user_id != (stored["user_id"] if stored else None):
            self.check_account()

    def check_account(self) -> None:
        """Only an administrator links an account to a member (in the shell, the administrator is whoever
        runs it); and never an account of the secretariat to a member who approves."""
        by = acting_user.get()
        if by is not None and not by.is_superuser:
            raise refuse(
                gettext("Only an administrator links a user account to a member."),
                member=self,
                about=self.name_ar,
            )
        if self.user_id is not None and is_secretariat(self.user) and holds_approving_seat(self):
            raise refuse(account_conflict_message(), member=self, about=self.name_ar)


def role_label(role: str, gender: str | None) -> str:
    """The name of a seat (or of an approval's role, which has the same values), in the person's gender."""
    return in_gender(Membership.Role(role).label, FEMININE_ROLES.get(role), gender)


def _username(user_id: int | None) -> str:
    if user_id is None:
        return "—"
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    return user.get_username() if user else str(user_id)


class MembershipQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date | models.OuterRef) -> "MembershipQuerySet":
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))

    def voting(self) -> "MembershipQuerySet":
        return self.exclude(role=Membership.Role.INVITED)


class Membership(models.Model):
    """A member's seat on a board, with a role, for a term."""

    class Role(models.TextChoices):
        PRESIDENT = "president", _("president")
        MEMBER = "member", _("member")
        RAPPORTEUR = "rapporteur", _("rapporteur (secretary)")
        INVITED = "invited", _("invited, without vote")

    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.CASCADE, related_name="memberships"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.MEMBER)
    start = models.DateField(_("term start"))
    end = models.DateField(_("term end"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["board", "role", "member__name_ar"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="membership_term_ends_after_start",
                violation_error_message=_("A term cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_role_display()}"

    def save(self, *args, **kwargs) -> None:
        self.check_duties()  # before the transaction opens: a refusal stays in the log
        with transaction.atomic():
            before = Membership.objects.filter(pk=self.pk).first() if self.pk else None
            super().save(*args, **kwargs)
            if before is None or before._seat_text() != self._seat_text() or before.board_id != self.board_id:
                DutyLog.note(
                    DutyLog.Kind.SEAT, self._change_text(before), member=self.member, about=str(self.board)
                )
            self.board.recheck_approvals()
            if before is not None and before.board_id != self.board_id:
                before.board.recheck_approvals()

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            DutyLog.note(
                DutyLog.Kind.SEAT,
                gettext("Seat removed: %(seat)s") % {"seat": self._seat_text()},
                member=self.member,
                about=str(self.board),
            )
            self.board.recheck_approvals()
        return deleted

    def clean(self) -> None:
        try:
            self.member, self.board  # noqa: B018 (an inline's parent may not be saved yet, but is set)
        except (Member.DoesNotExist, Board.DoesNotExist):
            return
        if self.start is not None:
            self.check_duties()

    @property
    def has_vote(self) -> bool:
        return self.role != self.Role.INVITED

    @property
    def role_label(self) -> str:
        """The seat's name, in the feminine for a woman («الرئيسة», «présidente»)."""
        return role_label(self.role, self.member.gender) if self.role else ""

    @property
    def precedence(self) -> int:
        """The seat's rank where the board is listed (an attendance): the president first, the advisory
        seats last."""
        order: list[str] = [self.Role.PRESIDENT, self.Role.RAPPORTEUR, self.Role.MEMBER, self.Role.INVITED]
        return order.index(self.role)

    def check_duties(self) -> None:
        """An approving seat is never held through an account of the secretariat, and one person never
        holds both approving seats of a board at once (the two approvals come from two people)."""
        if self.role not in APPROVING_ROLES:
            return
        user = self.member.user
        if user is not None and is_secretariat(user):
            raise refuse(account_conflict_message(), member=self.member, about=str(self.board))
        other_role = [role for role in APPROVING_ROLES if role != self.role]
        overlapping = (
            Membership.objects.filter(board_id=self.board_id, member_id=self.member_id, role__in=other_role)
            .exclude(pk=self.pk)
            .filter(Q(end__isnull=True) | Q(end__gte=self.start))
        )
        if self.end is not None:
            overlapping = overlapping.filter(start__lte=self.end)
        if overlapping.exists():
            raise refuse(
                gettext("One person cannot hold the president's and the rapporteur's seats at once."),
                member=self.member,
                about=str(self.board),
            )

    def _seat_text(self) -> str:
        end = moroccan_date(self.end) if self.end else "…"
        return f"{self.member.name_ar} — {self.get_role_display()} ({moroccan_date(self.start)} – {end})"

    def _change_text(self, before: "Membership | None") -> str:
        if before is None:
            return gettext("Seat added: %(seat)s") % {"seat": self._seat_text()}
        return gettext("Seat changed: %(before)s → %(after)s") % {
            "before": before._seat_text(),
            "after": self._seat_text(),
        }


# The feminine forms of the seats' names, for the members whose gender is known (Gender).
FEMININE_ROLES: "dict[str, StrPromise]" = {
    Membership.Role.PRESIDENT: pgettext_lazy("woman", "president"),
    Membership.Role.MEMBER: pgettext_lazy("woman", "member"),
    Membership.Role.RAPPORTEUR: pgettext_lazy("woman", "rapporteur (secretary)"),
    Membership.Role.INVITED: pgettext_lazy("woman", "invited, without vote"),
}
