"""The accounts that enter the record, administer the site or approve the minutes give a second factor
after their password: they enrol an authenticator app at their first sign-in (its codes computed here from
the key the page shows, as the app computes them), then give one of its codes, or a recovery code, at
every sign-in. Until then they reach nothing else; the other members are not asked."""

import base64
import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from meetings.models import Membership
from tests import factory
from tests.client import Client, app_code
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

SECRETARY_PASSWORD = "s3cret-pass!"  # factory.secretariat_user's
MEMBER_PASSWORD = "m3mber-pass!"  # factory.user_for's
STEP = "/account/second-factor/"


def key_on_the_page(response) -> bytes:
    grouped = re.search(
        r'<bdi dir="ltr" class="font-monospace text-break">([A-Z2-7 ]+)</bdi>', response.content.decode()
    )
    return base64.b32decode(grouped.group(1).replace(" ", ""))


def signs_in(client: Client, login: str, username: str, password: str):
    return client.post(login, {"username": username, "password": password})


def test_the_secretariat_enrols_its_app_at_the_first_sign_in_and_gets_recovery_codes(client):
    secretary = factory.secretariat_user()
    signs_in(client, "/admin/login/", secretary.username, SECRETARY_PASSWORD)

    held = client.get("/admin/meetings/session/")
    assert held.status_code == 302
    assert held.url == f"{STEP}?next=/admin/meetings/session/"
    step = client.get(held.url)
    assert "امسحوا هذا الرمز بتطبيق المصادقة" in visible_text(step)
    assert 'src="data:image/svg+xml;base64,' in step.content.decode()
    key = key_on_the_page(step)

    wrong = client.post(STEP, {"code": "000000", "next": "/admin/meetings/session/"})
    assert "هذا الرمز غير صحيح" in visible_text(wrong)
    assert client.get("/admin/meetings/session/").status_code == 302
    too_soon = client.post(STEP, {"code": app_code(key), "next": "/admin/meetings/session/"})
    assert "انتظروا بضع ثوان" in visible_text(too_soon)  # a run of guesses is slowed down

    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        done = client.post(STEP, {"code": app_code(key, later), "next": "/admin/meetings/session/"})
        codes = re.findall(r"<li>([a-z0-9]{8})</li>", done.content.decode())
        assert len(codes) == 10
        assert "لن تُعرض إلا الآن" in visible_text(done)
        assert client.get("/admin/meetings/session/").status_code == 200


def test_a_later_sign_in_asks_for_a_code_of_the_app_and_a_recovery_code_works_once(client):
    secretary = factory.secretariat_user()
    signs_in(client, "/admin/login/", secretary.username, SECRETARY_PASSWORD)
    key = key_on_the_page(client.get(STEP))
    enrolled = client.post(STEP, {"code": app_code(key)})
    recovery = re.findall(r"<li>([a-z0-9]{8})</li>", enrolled.content.decode())[0]

    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=5)
    with time_machine.travel(later, tick=False) as clock:
        again = Client()
        signs_in(again, "/admin/login/", secretary.username, SECRETARY_PASSWORD)
        step = again.get(STEP)
        assert "أدخلوا الرمز الذي يعرضه تطبيق المصادقة الآن" in visible_text(step)
        assert "data:image/svg+xml" not in step.content.decode()  # no new enrolment: the app has its key
        again.post(STEP, {"code": app_code(key, later)})
        assert again.get("/admin/").status_code == 200

        lost_phone = Client()
        signs_in(lost_phone, "/admin/login/", secretary.username, SECRETARY_PASSWORD)
        lost_phone.post(STEP, {"code": recovery})
        assert lost_phone.get("/admin/").status_code == 200

        clock.shift(datetime.timedelta(seconds=10))  # past the pause a tried app code started
        reused = Client()
        signs_in(reused, "/admin/login/", secretary.username, SECRETARY_PASSWORD)
        refused = reused.post(STEP, {"code": recovery})
        assert "هذا الرمز غير صحيح أو سبق استعماله" in visible_text(refused)
        assert reused.get("/admin/").status_code == 302


def test_the_president_gives_a_second_factor_before_approving(client):
    board = factory.board()
    president = factory.user_for(factory.seat(board, Membership.Role.PRESIDENT), "benyahia")

    signs_in(client, "/members/login/", president.username, MEMBER_PASSWORD)

    assert client.get("/members/").url == f"{STEP}?next=/members/"
    assert client.post("/members/sessions/1/approve/").status_code == 302  # to the step, nothing done
    assert client.get("/members/logout/").status_code in (200, 302, 405)  # signing out stays open


def test_a_member_who_approves_nothing_is_not_asked(client):
    board = factory.board()
    member = factory.user_for(factory.seat(board, Membership.Role.MEMBER), "rachidi")

    signs_in(client, "/members/login/", member.username, MEMBER_PASSWORD)

    assert client.get("/members/").status_code == 200


def test_the_step_is_in_french_on_the_french_pages(client):
    secretary = factory.secretariat_user()
    signs_in(client, "/fr/admin/login/", secretary.username, SECRETARY_PASSWORD)

    held = client.get("/fr/admin/")

    assert held.url == "/fr/account/second-factor/?next=/fr/admin/"
    assert "Scannez ce code avec l’application" in visible_text(client.get(held.url))


def test_the_step_never_sends_elsewhere_than_this_site(client):
    secretary = factory.secretariat_user()
    signs_in(client, "/admin/login/", secretary.username, SECRETARY_PASSWORD)
    key = key_on_the_page(client.get(STEP))

    done = client.post(STEP, {"code": app_code(key), "next": "https://evil.example/phish"})

    assert 'href="https://evil.example' not in done.content.decode()
    assert 'href="/admin/"' in done.content.decode()


# A passkey's server side (its use in a browser: tests/e2e/test_passkey.py)

PASSKEY = "/account/passkey/"


def test_at_the_first_sign_in_a_passkey_is_offered_for_the_public_address(client, settings):
    settings.OTP_WEBAUTHN_RP_ID = "testserver"  # what SITE_URL gives in production (entraide.settings)
    factory.secretariat_user()
    signs_in(client, "/admin/login/", "secretary", SECRETARY_PASSWORD)

    options = client.post(f"{PASSKEY}registration/begin/")

    assert options.status_code == 200
    assert options.json()["rp"] == {"name": "التعاون الوطني", "id": "testserver"}
    assert 'id="passkey-register-button"' in client.get(STEP).content.decode()


def test_no_passkey_is_added_to_an_account_before_the_second_factor_it_already_has(client):
    user = factory.secretariat_user()
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    signs_in(client, "/admin/login/", "secretary", SECRETARY_PASSWORD)

    refused = client.post(f"{PASSKEY}registration/begin/")

    assert refused.status_code == 403
    assert not WebAuthnCredential.objects.exists()


def test_a_passkey_never_signs_in_without_the_password(client):
    refused = client.post(f"{PASSKEY}authentication/begin/")

    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session


def test_no_passkey_is_offered_on_another_host_than_the_public_address(client, settings):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"  # SITE_URL=http://127.0.0.1:8000, a development machine's
    factory.secretariat_user()
    signs_in(client, "/admin/login/", "secretary", SECRETARY_PASSWORD)

    page = client.get(STEP).content.decode()

    assert "passkey-register-button" not in page
    assert 'id="id_code"' in page  # the authenticator app, still


def test_the_admin_lists_the_passkeys_and_names_them_in_arabic(client):
    client.force_login(User.objects.create_superuser("admin", password="adm1n-pass!"))

    text = visible_text(client.get("/admin/"))

    # django-otp-webauthn's «WebAuthn credentials» (meetings.accounts.package_strings)
    assert "مفاتيح المرور" in text
    assert "WebAuthn credentials" not in text
    assert client.get("/admin/django_otp_webauthn/webauthncredential/").status_code == 200
