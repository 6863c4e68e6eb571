"""The board and the people who sit on it."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _localized(obj: models.Model, field: str) -> str:
    """The French value in French when there is one, the Arabic value otherwise."""
    if (get_language() or "").startswith("fr"):
        return getattr(obj, f"{field}_fr") or getattr(obj, f"{field}_ar")
    return getattr(obj, f"{field}_ar")


class BoardQuerySet(models.QuerySet):
    def home(self) -> "Board | None":
        return self.filter(is_home=True).first()


class Board(models.Model):
    """An administrative board (المجلس الإداري) of a public institution."""

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
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def institution(self) -> str:
        return _localized(self, "institution")


class Member(models.Model):
    """A person who sits, or sat, on a board."""

    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    title_ar = models.CharField(_("title in Arabic"), max_length=300, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=300, blank=True)
    email = models.EmailField(_("email"), blank=True)
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

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def title(self) -> str:
        return _localized(self, "title")


class MembershipQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> "MembershipQuerySet":
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

    @property
    def has_vote(self) -> bool:
        return self.role != self.Role.INVITED
