"""The second factor of the accounts that need one (`duties.needs_second_factor`: staff, the secretariat,
the president and the rapporteur): after the password, a passkey or a code of an authenticator app.

At the first sign-in the account enrols one of them:
- a passkey (the phone's, the computer's or a security key: WebAuthn, django-otp-webauthn), where the
  browser offers it: its button registers one, and the page goes on;
- or an authenticator app (Aegis, FreeOTP, Google or Microsoft Authenticator…), which scans the QR code of
  a new TOTP device, or takes its key typed in, and whose code then confirms the device.
Either way ten recovery codes are then shown once, each good for one sign-in without the passkey or the
app. At every later sign-in the account uses its passkey, or gives a code of the app or a recovery code.
django-otp refuses a code used before and slows down a run of wrong ones. Until the account has given
its second factor, `second_factor_middleware` lets it reach nothing but this step and the sign-out.
"""

import base64

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .models.duties import needs_second_factor
from .pdf import qr_code_svg

RECOVERY_CODES = 10
# After a wrong code django-otp refuses the next for a delay that doubles with each wrong one.
WAIT = _("Too many wrong codes in a row: wait a few seconds, then type the code the app shows.")
# Set at sign-in, read by the middleware on every request of the session (no query per request).
SESSION_KEY = "second_factor_needed"


def ask_at_sign_in(sender, request, user, **kwargs) -> None:
    """On `user_logged_in` (connected in MeetingsConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = needs_second_factor(user)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr"}),
    )


def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol the account's authenticator app, or take a code of it (or a recovery code)."""
    user = request.user
    if not user.is_authenticated:
        return redirect("meetings:member_login")
    next_url = _next_url(request)
    if user.is_verified():
        if not StaticDevice.objects.filter(user=user).exists():  # a passkey enrolled a moment ago
            return _show_recovery_codes(request, next_url)
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if user_has_device(user):
        if form.is_valid():
            # Told apart before the code is tried: a wrong code starts the delay it would be refused for.
            throttled = any(not each.verify_is_allowed()[0] for each in devices_for_user(user))
            device = None if throttled else match_token(user, form.cleaned_data["code"].replace(" ", ""))
            if device is not None:
                otp_login(request, device)
                return redirect(next_url)
            wrong = _("This code is not right, or was used already: type the one the app shows now.")
            form.add_error("code", WAIT if throttled else wrong)
        passkey = (
            passkeys_possible(request)
            and WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
        )
        context = {"form": form, "next": next_url, "passkey": passkey}
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
            otp_login(request, device)
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
