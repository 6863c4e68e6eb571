"""A passkey as the second factor, in a real Chromium whose virtual authenticator (the DevTools WebAuthn
domain) stands for the phone's or the computer's: a secretary enrols one at the first sign-in, gets the
recovery codes, and at the next sign-in uses it instead of a code; the president gives it again to
approve."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from tests import factory
from tests.e2e.actors import (
    APPROVE_AND_SIGN,
    member_gives_the_password,
    new_page,
    pin_of,
    secretary_gives_the_password,
)
from tests.members import cast
from tests.members import page as member_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def with_an_authenticator(page) -> None:
    """A platform authenticator that verifies its user (a fingerprint, a PIN) and answers at once."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_a_secretary_enrols_a_passkey_then_signs_in_with_it(
    live_server, chromium_browser, screenshots, settings
):
    # The relying party is the public address (SITE_URL in production): here, the live server's.
    settings.OTP_WEBAUTHN_RP_ID, settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = "localhost", [live_server.url]
    secretary = factory.secretariat_user()
    refused = []
    with new_page(chromium_browser, last=(screenshots, "signed-in-with-the-passkey")) as page:
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        with_an_authenticator(page)
        secretary_gives_the_password(page, live_server.url, secretary.username)
        assert "/account/second-factor/" in page.url
        page.wait_for_selector("#passkey-register-button")  # the browser offers passkeys: the button shows
        screenshots.take(page, "enrolment")

        with page.expect_navigation():
            page.get_by_role("button", name="إنشاء مفتاح مرور").click()

        page.wait_for_selector(".recovery-codes")
        screenshots.take(page, "recovery-codes")
        assert page.locator(".recovery-codes li").count() == 10
        [passkey] = WebAuthnCredential.objects.filter(user=secretary)
        assert passkey.confirmed
        with page.expect_navigation():
            page.locator(".second-factor a.btn").click()
        page.wait_for_selector("#content-main")

        # Signed out, then in again: the password, then the passkey instead of a code.
        page.goto(f"{live_server.url}/admin/")
        with page.expect_navigation():
            page.get_by_role("button", name="تسجيل الخروج").click()
        secretary_gives_the_password(page, live_server.url, secretary.username)
        assert "/account/second-factor/" in page.url
        assert page.locator("#id_code").count() == 1  # the recovery codes stay possible
        page.wait_for_selector("#passkey-verification-button")
        screenshots.take(page, "passkey-asked")
        with page.expect_navigation():
            page.get_by_role("button", name="استعمال مفتاح المرور الخاص بي").click()

        page.wait_for_selector("#content-main")
        assert page.url == f"{live_server.url}/admin/"
        passkey.refresh_from_db()
        assert passkey.last_used_at is not None
    assert refused == []


def test_the_president_approves_with_the_passkey_used_on_the_approvals_form(
    live_server, chromium_browser, screenshots, settings
):
    """Signed in with a recovery code, the president is asked for the second factor again by the approval;
    the passkey's button on the form gives it, and the approval records it."""
    settings.OTP_WEBAUTHN_RP_ID, settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = "localhost", [live_server.url]
    people = cast()
    president = people.president.username
    with new_page(chromium_browser, last=(screenshots, "approved-with-the-passkey")) as page:
        with_an_authenticator(page)
        member_gives_the_password(page, live_server.url, president)
        with page.expect_navigation():
            page.get_by_role("button", name="إنشاء مفتاح مرور").click()
        recovery = page.locator(".recovery-codes li").first.inner_text()
        with page.expect_navigation():
            page.locator(".second-factor a.btn").click()
        with page.expect_navigation():
            page.get_by_role("button", name="تسجيل الخروج").click()
        member_gives_the_password(page, live_server.url, president)
        page.fill("#id_code", recovery)  # the phone's passkey not used at this sign-in
        with page.expect_navigation():
            page.locator(".second-factor button[type=submit]").click()

        page.goto(f"{live_server.url}{member_page(people.session)}")
        page.check("#confirm-approval")
        page.fill("#approval-pin", pin_of(president))
        with page.expect_navigation():
            page.get_by_role("button", name=APPROVE_AND_SIGN).click()
        assert "أدخلوا الرمز الذي يعرضه تطبيق المصادقة الآن، أو استعملوا مفتاح المرور" in page.inner_text(
            "main"
        )
        assert not people.minutes.approvals.exists()
        page.locator("#approve").scroll_into_view_if_needed()
        screenshots.take(page, "the-approval-asks-for-the-second-factor")

        with page.expect_navigation():
            page.get_by_role("button", name="استعمال مفتاح المرور الخاص بي").click()
        page.check("#confirm-approval")
        page.fill("#approval-pin", pin_of(president))
        with page.expect_navigation():
            page.get_by_role("button", name=APPROVE_AND_SIGN).click()

        assert "توقيعكم على المحضر: سُجلت مصادقتكم." in page.inner_text("main")
        (approval,) = people.minutes.approvals.all()
        assert approval.factor == "passkey"
