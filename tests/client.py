"""Django's test client, whose `force_login` (the tests' shortcut past the sign-in page) goes past the
second factor too, with a real confirmed device of the account: the accounts that owe one
(meetings.accounts.second_factor) reach their pages as after a full sign-in. The step itself is tested through
its page (tests/test_second_factor.py), and the browser tests go through it."""

import datetime

from django import test
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from meetings.models.duties import owes_second_factor


class Client(test.Client):
    def force_login(self, user, backend=None) -> None:
        super().force_login(user, backend)
        session = self.session
        if owes_second_factor(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


def app_code(key: bytes, at: datetime.datetime | None = None) -> str:
    """The six figures an authenticator app shows for `key` now (or at `at`): TOTP, 30 s steps from 0."""
    totp = TOTP(key, step=30, t0=0, digits=6)
    if at is not None:
        totp.time = at.timestamp()
    return f"{totp.token():06d}"
