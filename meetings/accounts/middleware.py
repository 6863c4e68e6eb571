"""Who the current request acts for, for the duties' log (`meetings.models.duties.acting_user`) and for
the views that act in its name (`account_of`); the second factor an account owes, asked for before any
page (`meetings.accounts.second_factor`)."""

import functools
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django_otp.middleware import is_verified

from ..models.duties import acting_user, owes_second_factor


def acting_user_middleware(get_response):
    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user if request.user.is_authenticated else None
        token = acting_user.set(user)
        try:
            return get_response(request)
        finally:
            acting_user.reset(token)

    return middleware


def account_of(request: HttpRequest) -> User:
    """The account a request acts for, on a page that only a signed-in account reaches (the admin's, or
    a member's behind `login_required`): refused to anyone else."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


OPEN_BEFORE_THE_SECOND_FACTOR = (
    "meetings:second_factor",
    "meetings:member_logout",
    "admin:logout",
    # The passkey's: its first registration, its use, its scripts' translations.
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
)


@functools.cache
def _open_before_the_second_factor() -> tuple[str, ...]:
    """The addresses an account that owes its second factor may reach: that step (with the passkey's),
    the sign-outs, the static files and the health check, in each language."""
    paths = [f"/{settings.STATIC_URL.strip('/')}/", "/health/"]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            paths += [reverse(name) for name in OPEN_BEFORE_THE_SECOND_FACTOR]
    return tuple(paths)


def second_factor_middleware(get_response):
    """An account that owes a second factor and has not given it in this session is sent to that step from
    any page, the admin's included. Who owes it is asked on every request of a session without it, from
    the account as it is now (one query): a session opened before a seat or staff status was given is
    stopped at its next request."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not is_verified(user)
            and not request.path_info.startswith(_open_before_the_second_factor())
            and owes_second_factor(user)
        ):
            step = reverse("meetings:second_factor")
            return redirect(f"{step}?next={quote(request.get_full_path())}")
        return get_response(request)

    return middleware
