"""Every public page, every member page and the admin pages the secretariat works in, in Arabic and in
French, at a desktop's width and at a phone's (390 px): axe-core finds no WCAG 2.2 AA violation, no
public or member page scrolls sideways on the phone, and the browser refuses nothing under the pages'
Content-Security-Policy (no inline script or style). The pages are those of the demo's board (its two
signed sessions of 2025 and the session it convenes), as `make run` shows them."""

import io
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command

from decisions.management.commands.load_demo import MEMBER_USERS, SECRETARIAT_USER
from meetings.models import Minutes, Session
from tests.e2e.accessibility import sideways_overflow, violations
from tests.e2e.actors import gives_the_second_factor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (1280, 390)
MISSING = "/no-such-page/"  # the page every unknown or unpublished address gets
LANGUAGES = ("", "/fr")  # Arabic at /, French at /fr/


@dataclass
class Person:
    """Someone browsing in two contexts of their own. In `page`, the browser blocks what the policy
    forbids and says so on the console (kept in `refused`). axe-core itself is an injected script: it runs
    in `axe`, a context that lets it in (`bypass_csp`). Both visit the same pages."""

    page: object
    axe: object
    refused: list[str] = field(default_factory=list)

    @classmethod
    def signed_in(cls, browser, base: str, login: str | None = None, credentials=("", "")) -> "Person":
        person = cls(
            browser.new_context(locale="ar-MA").new_page(),
            browser.new_context(locale="ar-MA", bypass_csp=True).new_page(),
        )
        person.page.on("console", person._console)
        for page in (person.page, person.axe) if login else ():
            page.goto(base + login)
            page.fill("#id_username", credentials[0])
            page.fill("#id_password", credentials[1])
            with page.expect_navigation():
                page.keyboard.press("Enter")
            gives_the_second_factor(page, credentials[0])
        return person

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.refused.append(message.text)

    def leaves(self) -> None:
        self.page.context.close()
        self.axe.context.close()

    def check(self, base: str, paths: list[str], *, phone_fits: bool) -> dict[str, list[str]]:
        """What is wrong with each page, in each language and at each width: {} when nothing is."""
        found = {}
        for address in (language + path for language in LANGUAGES for path in paths):
            response = self.page.goto(base + address)
            expected = 404 if address.endswith(MISSING) else 200
            problems = [] if response.status == expected else [f"HTTP {response.status}"]
            if "content-security-policy" not in response.headers:
                problems.append("no Content-Security-Policy")
            problems += self.refused
            self.refused.clear()
            if problems:
                found[address] = problems
        for width in WIDTHS:
            self.axe.set_viewport_size({"width": width, "height": 900})
            for address in (language + path for language in LANGUAGES for path in paths):
                self.axe.goto(base + address)
                problems = violations(self.axe)
                if phone_fits and width < 576 and sideways_overflow(self.axe) > 0:
                    problems.append(f"scrolls sideways by {sideways_overflow(self.axe)} px")
                if problems:
                    found[f"{address} @ {width} px"] = problems
        return found


def test_no_page_has_an_accessibility_violation_in_either_language_or_width(live_server, chromium_browser):
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url
    december = Session.objects.get(year=2025, ordinal=2)
    upcoming = Session.objects.filter(date__gt=december.date, minutes_versions__isnull=True).get()
    code = Minutes.objects.filter(session=december).get().code
    public = [
        "/",
        "/sessions/2025/2/",
        "/sessions/2025/1/",
        f"/sessions/{upcoming.year}/{upcoming.ordinal}/",
        "/resolutions/",
        "/resolutions/2025/1/3/",
        "/search/?q=الميزانية",
        "/search/?q=budget",
        "/verify/",
        f"/verify/{code}/",
        "/members/login/",
        "/account/password/",
        "/account/password/sent/",
        MISSING,
    ]
    member = ["/members/", f"/members/sessions/{december.pk}/", f"/members/sessions/{upcoming.pk}/"]
    admin = [
        "/admin/",
        "/admin/meetings/session/",
        "/admin/meetings/session/add/",
        f"/admin/meetings/session/add/?from={december.pk}&date=2025-12-30",
        f"/admin/meetings/session/{december.pk}/change/",
        f"/admin/meetings/session/{upcoming.pk}/change/",
        f"/admin/meetings/minutes/{december.minutes_versions.get().pk}/change/",
        f"/admin/meetings/session/{upcoming.pk}/follow-up/",
        "/admin/decisions/resolution/dashboard/",
    ]
    visitor = Person.signed_in(chromium_browser, base)
    board_member = Person.signed_in(
        chromium_browser, base, "/members/login/", MEMBER_USERS["secretary_of_state"]
    )
    secretary = Person.signed_in(chromium_browser, base, "/admin/login/", SECRETARIAT_USER)

    found = {
        **visitor.check(base, public, phone_fits=True),
        **board_member.check(base, member, phone_fits=True),
        **secretary.check(base, admin, phone_fits=False),
    }

    assert found == {}
    for person in (visitor, board_member, secretary):
        person.leaves()
