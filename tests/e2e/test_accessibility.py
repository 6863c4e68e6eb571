"""Every public page, every member page and the admin pages the secretariat works in, in Arabic and in
French, at a desktop's width and at a phone's (390 px): axe-core finds no WCAG 2.2 AA violation, and no
public or member page scrolls sideways on the phone. The pages are those of the demo's board (its two
signed sessions of 2025 and the session it convenes), as `make run` shows them."""

import io

import pytest
from django.core.management import call_command

from decisions.management.commands.load_demo import MEMBER_USERS, SECRETARIAT_USER
from meetings.models import Minutes, Session
from tests.e2e.accessibility import sideways_overflow, violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (1280, 390)
MISSING = "/no-such-page/"  # the page every unknown or unpublished address gets
LANGUAGES = ("", "/fr")  # Arabic at /, French at /fr/


def signed_in(browser, base: str, login: str, credentials: tuple[str, str]):
    page = browser.new_context(locale="ar-MA").new_page()
    page.goto(base + login)
    page.fill("#id_username", credentials[0])
    page.fill("#id_password", credentials[1])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def check(page, base: str, paths: list[str], *, phone_fits: bool) -> dict[str, list[str]]:
    """What is wrong with each page, at each width and in each language: {} when nothing is."""
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for language in LANGUAGES:
            for path in paths:
                address = language + path
                response = page.goto(base + address)
                expected = 404 if path == MISSING else 200
                problems = [] if response.status == expected else [f"HTTP {response.status}"]
                problems += violations(page)
                if phone_fits and width < 576 and sideways_overflow(page) > 0:
                    problems.append(f"scrolls sideways by {sideways_overflow(page)} px")
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
    visitor = chromium_browser.new_context(locale="ar-MA").new_page()
    board_member = signed_in(chromium_browser, base, "/members/login/", MEMBER_USERS["secretary_of_state"])
    secretary = signed_in(chromium_browser, base, "/admin/login/", SECRETARIAT_USER)

    found = {
        **check(visitor, base, public, phone_fits=True),
        **check(board_member, base, member, phone_fits=True),
        **check(secretary, base, admin, phone_fits=False),
    }

    assert found == {}
    for page in (visitor, board_member, secretary):
        page.context.close()
