"""The second factor of the accounts that owe one (`duties.owes_second_factor`, asked on every request:
staff, the secretariat, the president and the rapporteur, and whoever has one enrolled): after the
password, a passkey or a code of an authenticator app; and again at the moment of an approval (`step_up`).

At the first sign-in the account enrols one of them:
- a passkey (the phone's, the computer's or a security key: WebAuthn, django-otp-webauthn), where the
  browser offers it: its button registers one, and the page goes on;
- or an authenticator app (Aegis, FreeOTP, Google or Microsoft Authenticator…), which scans the QR code of
  a new TOTP device, or takes its key typed in, and whose code then confirms the device.
Either way ten recovery codes are then shown once, each good for one sign-in without the passkey or the
app. At every later sign-in the account uses its passkey, or gives a code of the app or a recovery code.
django-otp refuses a code used before and slows down a run of wrong ones. Until the account has given
its second factor, `second_factor_middleware` lets it reach nothing but this step and the sign-out. Each
time a factor is given (`given`) the session's key changes: a key seen before is worth nothing after.

An approval asks for the factor again, in its own confirmation: a code of the app typed with it, or the
passkey used within the last STEP_UP minutes (its button on the same form); the approval records which
one and when (meetings.minutes.lifecycle.approve). A recovery code opens the account, never an approval.
"""

import base64
import datetime
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.middleware import is_verified
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import CompleteCredentialAuthenticationView, CompleteCredentialRegistrationView

from ..models import Approval
from ..qr_code import qr_code_svg

RECOVERY_CODES = 10
# After a wrong code django-otp refuses the next for a delay that doubles with each wrong one.
WAIT = _("Too many wrong codes in a row: wait a few seconds, then type the code the app shows.")
WRONG = _("This code is not right, or was used already: type the one the app shows now.")
# How long a passkey used in this session vouches for an approval.
STEP_UP = datetime.timedelta(minutes=5)
# The factor last given in this session: which device, when (ISO 8601).
GIVEN = "second_factor_given"


class CodeForm(forms.Form):
    """A code of the second factor: the authenticator app's, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr"}),
    )


@dataclass(frozen=True)
class GivenFactor:
    """A second factor the person gave, and when: what an approval asks for and records."""

    device: Device
    at: datetime.datetime

    @property
    def kind(self) -> str:
        return Approval.Factor.PASSKEY if isinstance(self.device, WebAuthnCredential) else Approval.Factor.APP

    def vouches_for(self, user) -> bool:
        """The person's own app or passkey, given within the last STEP_UP minutes."""
        now = timezone.now()
        return (
            isinstance(self.device, TOTPDevice | WebAuthnCredential)
            and self.device.user_id == user.pk
            and self.device.confirmed
            and now - STEP_UP <= self.at <= now
        )


def given(request: HttpRequest, device: Device) -> GivenFactor:
    """The session has its second factor from `device`, now: a new session key, the factor noted."""
    otp_login(request, device)
    request.session.cycle_key()
    at = timezone.now()
    request.session[GIVEN] = {"device": device.persistent_id, "at": at.isoformat()}
    return GivenFactor(device, at)


def device_taking(user, code: str, *, kinds: tuple[type[Device], ...] = (Device,)) -> Device:
    """The confirmed device of `user` (of `kinds`) that takes `code`, its row locked while it is tried, as
    django-otp's match_token does (a code is taken once). Throttled devices are told apart before the code
    is tried: a wrong code starts the delay it would be refused for. A refusal says what to do."""
    with transaction.atomic():
        devices = [d for d in devices_for_user(user, for_verify=True) if isinstance(d, kinds)]
        if any(not device.verify_is_allowed()[0] for device in devices):
            raise ValidationError(WAIT, code="wait")
        # Not raised inside the transaction: the wrong code's throttling, saved by verify_token, stays.
        taking = next((device for device in devices if device.verify_token(code.replace(" ", ""))), None)
    if taking is None:
        raise ValidationError(WRONG, code="wrong")
    return taking


def step_up(request: HttpRequest, code: str, *, refusal: str = "") -> GivenFactor:
    """The factor given for an act that needs it now: `code`, of the account's authenticator app, or else
    the passkey used in this session within the last STEP_UP minutes (spent by this act). A refusal says
    what to do (`refusal`, for an act other than an approval)."""
    user = request.user
    if code:
        return given(request, device_taking(user, code, kinds=(TOTPDevice,)))
    noted = request.session.get(GIVEN) or {}
    device = Device.from_persistent_id(noted.get("device", ""))
    at = datetime.datetime.fromisoformat(noted["at"]) if noted.get("at") else None
    factor = GivenFactor(device, at) if isinstance(device, WebAuthnCredential) and at else None
    if factor is None or not factor.vouches_for(user):
        raise ValidationError(
            refusal
            or _(
                "Type the code your authenticator app shows now, or use your passkey, to give this approval."
            ),
            code="second_factor",
        )
    del request.session[GIVEN]
    return factor


def enrolled(user) -> list:
    """The second factors the account's person enrolled, by name («passkey», «authenticator app»)."""
    found = []
    if WebAuthnCredential.objects.filter(user=user, confirmed=True).exists():
        found.append(_("passkey"))
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        found.append(_("authenticator app"))
    return found


def has_passkey(request: HttpRequest) -> bool:
    return (
        passkeys_possible(request)
        and WebAuthnCredential.objects.filter(user=request.user, confirmed=True).exists()
    )


class PasskeyUsed(CompleteCredentialAuthenticationView):
    """django-otp-webauthn's, the factor noted as given (`given`): at sign-in, or for an approval."""

    def complete_auth(self, device: WebAuthnCredential):
        super().complete_auth(device)
        given(self.request, device)


class PasskeyCreated(CompleteCredentialRegistrationView):
    """django-otp-webauthn's: a passkey created at the first sign-in gives the session its factor."""

    def post(self, *args, **kwargs):
        verified_before = is_verified(self.request.user)
        response = super().post(*args, **kwargs)
        if not verified_before and is_verified(self.request.user):
            given(self.request, self.request.user.otp_device)
        return response


def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol the account's authenticator app, or take a code of it (or a recovery code)."""
    user = request.user
    if not user.is_authenticated:
        return redirect("meetings:member_login")
    next_url = _next_url(request)
    if is_verified(user):
        if not StaticDevice.objects.filter(user=user).exists():  # a passkey enrolled a moment ago
            return _show_recovery_codes(request, next_url)
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if user_has_device(user):
        if form.is_valid():
            try:
                given(request, device_taking(user, form.cleaned_data["code"]))
            except ValidationError as refusal:
                form.add_error("code", refusal)
            else:
                return redirect(next_url)
        context = {"form": form, "next": next_url, "passkey": has_passkey(request)}
        return render(request, "meetings/second_factor.html", context)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name=str(_("authenticator app")), confirmed=False
    )
    if form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", WAIT)
        elif device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            device.confirmed = True
            device.save()
            given(request, device)
            return _show_recovery_codes(request, next_url)
        else:
            form.add_error("code", _("This code is not right: type the one the app shows now."))
    context = {
        "form": form,
        "next": next_url,
        "enrolling": True,
        "passkeys": passkeys_possible(request),
        "qr_code": qr_code_svg(device.config_url),
        "key": " ".join(_grouped(base64.b32encode(device.bin_key).decode())),
    }
    return render(request, "meetings/second_factor.html", context)


def _show_recovery_codes(request: HttpRequest, next_url: str) -> HttpResponse:
    """Ten new one-time codes for the account, replacing any earlier ones: shown once, stored as given."""
    StaticDevice.objects.filter(user=request.user).delete()
    device = StaticDevice.objects.create(user=request.user, name=str(_("recovery codes")), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return render(request, "meetings/second_factor_codes.html", {"codes": codes, "next": next_url})


def passkeys_possible(request: HttpRequest) -> bool:
    """Passkeys are offered on the relying party's host only (SITE_URL's, entraide.settings): a browser
    would refuse them on another address of the same server, as on 127.0.0.1 for localhost."""
    return request.get_host().rsplit(":", 1)[0] == settings.OTP_WEBAUTHN_RP_ID


def _grouped(key: str) -> list[str]:
    return [key[i : i + 4] for i in range(0, len(key), 4)]


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("admin:index") if request.user.is_staff else reverse("meetings:member_sessions")
