"""What happens to an account is kept in the duties' log, with who did it, whatever the entry point (the
admin, a member page, the shell), and the person is told what they would want to know:

- its sign-in address, where a reset's link goes: set by administrators only (never by the secretariat,
  never from a member's contact address); a change is logged and told to the old address;
- its standing (created, staff, administrator, active) and its groups and permissions: logged;
- its second factor: an enrolment is logged; a removal by anyone but the person (an administrator's, for
  a lost phone) is refused to anyone else, logged and told to the person.

A member's contact address, the secretariat's to keep, is logged by `Member.save`; a password chosen
through a link by `invitations.LoggedSetPasswordForm`. Connected in MeetingsConfig.ready.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from ..models import DutyLog
from ..models.duties import acting_user, refuse
from . import invitations

# The second factors a person enrols (recovery codes come with them, renewed by the person).
ENROLLED = {TOTPDevice: gettext_lazy("authenticator app"), WebAuthnCredential: gettext_lazy("passkey")}
DEVICES = [TOTPDevice, WebAuthnCredential, StaticDevice]
STANDING = ["is_staff", "is_superuser", "is_active"]


def _note(kind: str, detail: str, user) -> None:
    DutyLog.note(kind, detail, member=getattr(user, "member", None), about=user.get_username(), account=user)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def account_saving(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save of an account: a change of its sign-in address (administrators only) or of its standing.
    A save of other fields only (the last sign-in's time, at every sign-in) asks nothing."""
    if raw or instance.pk is None or (update_fields is not None and not {"email", *STANDING} & update_fields):
        return
    before = get_user_model().objects.filter(pk=instance.pk).values("email", *STANDING).first()
    if before is None:
        return
    if before["email"].lower() != instance.email.lower():
        by = acting_user.get()
        if by is not None and not by.is_superuser:
            raise refuse(
                _("Only an administrator sets the sign-in address of an account."),
                member=getattr(instance, "member", None),
                about=instance.get_username(),
                account=instance,
            )
        change = _("Sign-in address: %(before)s → %(after)s") % {
            "before": before["email"] or "—",
            "after": instance.email or "—",
        }
        _note(DutyLog.Kind.SIGN_IN, change, instance)
        if before["email"]:
            # To the old address: a takeover announces itself to the person it takes the account from.
            invitations.tell(instance, change, address=before["email"])
    changed = [field for field in STANDING if before[field] != getattr(instance, field)]
    if changed:
        labels = {f.name: f.verbose_name for f in get_user_model()._meta.concrete_fields if f.name in changed}
        detail = "، ".join(f"{labels[f]}: {_yes_no(getattr(instance, f))}" for f in changed)
        _note(DutyLog.Kind.STANDING, detail, instance)


def account_created(sender, instance, created=False, raw=False, **kwargs) -> None:
    if created and not raw:
        detail = _("Account created (sign-in address: %(address)s, staff: %(staff)s)") % {
            "address": instance.email or "—",
            "staff": _yes_no(instance.is_staff or instance.is_superuser),
        }
        _note(DutyLog.Kind.STANDING, detail, instance)


def groups_changed(sender, instance, action, model, pk_set, reverse=False, **kwargs) -> None:
    """m2m_changed of an account's groups or permissions (or of a group's accounts)."""
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    users = model.objects.filter(pk__in=pk_set) if reverse else [instance]
    things = [instance] if reverse else list(model.objects.filter(pk__in=pk_set))
    template = _("Given: %(what)s") if action == "post_add" else _("Taken away: %(what)s")
    for user in users:
        _note(DutyLog.Kind.STANDING, template % {"what": "، ".join(str(t) for t in things)}, user)


def device_saving(sender, instance, raw=False, **kwargs) -> None:
    """pre_save of a passkey or an authenticator app: its enrolment (confirmed now) is logged."""
    if raw or not instance.confirmed or sender not in ENROLLED:
        return
    if instance.pk and sender.objects.filter(pk=instance.pk, confirmed=True).exists():
        return
    _note(
        DutyLog.Kind.FACTOR, _("Second factor enrolled: %(what)s") % {"what": ENROLLED[sender]}, instance.user
    )


def device_deleting(sender, instance, **kwargs) -> None:
    """pre_delete of a second factor: the person's own (recovery codes renewed), or an administrator's."""
    by = acting_user.get()
    if by is not None and by.pk != instance.user_id and not by.is_superuser:
        raise refuse(
            _("Only an administrator removes the second factor of another person's account."),
            member=getattr(instance.user, "member", None),
            about=instance.user.get_username(),
            account=instance.user,
        )


def device_deleted(sender, instance, **kwargs) -> None:
    by = acting_user.get()
    if by is not None and by.pk == instance.user_id:
        return  # the person renewing their recovery codes
    what = ENROLLED.get(sender, _("recovery codes"))
    notice = _(
        "Your second factor (%(what)s) was removed by an administrator: at your next sign-in you will enrol "
        "a new one."
    ) % {"what": what}
    _note(DutyLog.Kind.FACTOR, _("Second factor removed: %(what)s") % {"what": what}, instance.user)
    invitations.tell(instance.user, notice)
