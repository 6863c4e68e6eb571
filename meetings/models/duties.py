"""Duties kept apart: who enters the record (the secretariat), who vouches for it (the president and the
rapporteur) and who holds identities (administrators: accounts, their sign-in address, their link to a
member, a lost second factor) are different people.

- An account of the secretariat (staff, administrator, or holding the secretariat's permission) never
  approves, and is never the account of a member holding an approving seat; the reverse holds too: the
  account of such a member never becomes staff nor gets the secretariat's permission.
- Only administrators link an account to a member (the admin shows the link read-only to others).

The rule is checked here whatever the entry point: `Member.save`, `Membership.save`, and for accounts the
signals below (a user saved as staff, a group or permission added); the admin's forms ask the same
questions first (`check_standing`), so that a refusal is a message on the form. `meetings.minutes.lifecycle`
refuses the approvals and the signature that would break it. Every change of seats, accounts, addresses
and second factors (meetings.accounts.history), and every refusal, is kept in `DutyLog`, which the admin
shows and which PostgreSQL keeps from being changed or deleted (meetings' migration 0027).
"""

import contextvars

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

SECRETARIAT_PERMISSION = "meetings.manage_minutes"
# The seats whose holders approve the minutes: Membership.Role's and Approval.Role's shared values.
APPROVING_ROLES = ("president", "rapporteur")

# The account on whose behalf the current request runs (set by
# `meetings.accounts.middleware.acting_user_middleware`): the log names who changed a seat or an account.
# None in the shell and in migrations.
acting_user: contextvars.ContextVar = contextvars.ContextVar("acting_user", default=None)


def secretariat_permissions() -> models.QuerySet:
    """The secretariat's permission (SECRETARIAT_PERMISSION), as a queryset to filter further."""
    app_label, codename = SECRETARIAT_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)


def _holds_secretariat_permission(user) -> bool:
    """Through the user's own permissions or a group's, whether the account is active or not."""
    return secretariat_permissions().filter(Q(user=user) | Q(group__user=user)).exists()


def is_secretariat(user) -> bool:
    """An account that enters the record or administers the site: it never vouches for the record."""
    if user is None or not user.pk:
        return bool(user is not None and (user.is_staff or user.is_superuser))
    return user.is_staff or user.is_superuser or _holds_secretariat_permission(user)


def holds_approving_seat(member) -> bool:
    return member is not None and member.pk and member.memberships.filter(role__in=APPROVING_ROLES).exists()


def owes_second_factor(user) -> bool:
    """Whether the account gives a second factor before it acts, decided on every request from what it is
    now (never noted at sign-in: a seat or staff status given to an open session counts at once): the
    accounts that enter the record, administer the site or approve the minutes in the board's name, and
    any account that has a second factor enrolled (a password reset never takes it away). One query."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    account = OuterRef("pk")
    secretariat = secretariat_permissions().filter(Q(user=account) | Q(group__user=account))
    accounts = get_user_model().objects.filter(pk=user.pk)
    return accounts.filter(
        Exists(secretariat)
        | Exists(accounts.model.objects.filter(pk=account, member__memberships__role__in=APPROVING_ROLES))
        | Exists(TOTPDevice.objects.filter(user=account, confirmed=True))
        | Exists(WebAuthnCredential.objects.filter(user=account, confirmed=True))
    ).exists()


class DutyRefused(PermissionDenied):
    """A refusal of the separation of duties, already in the log: the page says it to the person (a form
    error, a message), where another PermissionDenied is a bare 403."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_standing(user, *, staff: bool, permissions: models.QuerySet) -> None:
    """Refuse (logged) making staff, or giving the secretariat's permission (`permissions`: the Permission
    rows the account would hold, its groups' included), to the account of a member who approves."""
    member = getattr(user, "member", None) if user.pk else None
    granting = secretariat_permissions().filter(pk__in=permissions.values("pk")).exists()
    if (staff or granting) and holds_approving_seat(member):
        raise refuse(account_conflict_message(), member=member, about=user.get_username(), account=user)


def refuse(message: str, *, member=None, about: str = "", account=None) -> ValidationError:
    """A refusal of the rule, logged, to raise."""
    DutyLog.refused(message, by=acting_user.get(), member=member, about=about, account=account)
    return ValidationError(message, code="duties")


def account_conflict_message() -> str:
    return gettext(
        "An account of the secretariat or an administrator cannot be the account of the president or "
        "the rapporteur: the people who enter the record and those who approve it are kept apart."
    )


class DutyLog(models.Model):
    """One change of a seat, of an account (its link to a member, its sign-in address, its standing, its
    second factor, its password) or of a member's contact address; or one refusal of the rule above."""

    class Kind(models.TextChoices):
        SEAT = "seat", _("seat changed")
        ACCOUNT = "account", _("account linked or unlinked")
        CONTACT = "contact", _("contact address changed")
        SIGN_IN = "sign_in", _("sign-in address changed")
        SIGNING = "signing", _("signing credential changed")
        STANDING = "standing", _("staff status or permissions changed")
        FACTOR = "factor", _("second factor enrolled or removed")
        PASSWORD = "password", _("password chosen")
        ANSWER = "answer", _("answer to a convocation")
        REFUSED = "refused", _("refused")

    at = models.DateTimeField(_("date and time"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("type of entry"), max_length=20, choices=Kind)
    # PROTECT: the history outlives nothing it names (PostgreSQL refuses to change or delete an entry).
    member = models.ForeignKey(
        "meetings.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_log",
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_log",
    )
    about = models.CharField(_("about"), max_length=300, blank=True)
    detail = models.TextField(_("detail"))

    class Meta:
        verbose_name = _("duties log entry")
        verbose_name_plural = _("duties log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.about or self.member or ''}"

    @classmethod
    def note(
        cls, kind: str, detail: str, *, member=None, about: str = "", by=None, account=None
    ) -> "DutyLog":
        by = by if by is not None else acting_user.get()
        return cls.objects.create(
            kind=kind,
            detail=detail,
            member=member if member is not None and member.pk else None,
            account=account if account is not None and account.pk else None,
            about=about[:300],
            by=by if by is not None and by.pk else None,
        )

    @classmethod
    def refused(cls, detail: str, *, by=None, member=None, about: str = "", account=None) -> "DutyLog":
        return cls.note(cls.Kind.REFUSED, detail, member=member, about=about, by=by, account=account)


# Accounts: whatever changes an account's standing goes through these. Receivers, since the accounts are
# django.contrib.auth's, saved by its admin and forms and by the shell, their groups and permissions
# changed through many-to-many relations: no save of the project's own to put a call in.


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _account_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw or not (instance.is_staff or instance.is_superuser):
        return
    member = getattr(instance, "member", None) if instance.pk else None
    if holds_approving_seat(member):
        raise refuse(account_conflict_message(), member=member, about=instance.get_username())


def _users_gaining_permission(action: str, instance, model, pk_set) -> list:
    """The accounts that an m2m change would give the secretariat's permission."""
    if action != "pre_add" or not pk_set:
        return []
    secretariat = secretariat_permissions()
    if isinstance(instance, Group):  # permissions added to a group: its users
        if not secretariat.filter(pk__in=pk_set).exists():
            return []
        return list(instance.user_set.all())
    if model is Group:  # groups added to a user
        granting = secretariat.filter(group__pk__in=pk_set).exists()
    else:  # permissions added to a user
        granting = secretariat.filter(pk__in=pk_set).exists()
    return [instance] if granting else []


@receiver(m2m_changed)
def _permissions_changed(sender, instance, action, model, pk_set, **kwargs) -> None:
    user_model = get_user_model()
    if sender not in {
        Group.permissions.through,
        user_model.groups.through,
        user_model.user_permissions.through,
    }:
        return
    for user in _users_gaining_permission(action, instance, model, pk_set):
        member = getattr(user, "member", None)
        if holds_approving_seat(member):
            raise refuse(account_conflict_message(), member=member, about=user.get_username())
