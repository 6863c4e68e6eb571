"""Every member page and the admin pages the secretariat works in (session list, add and change, minutes,
follow-up, dashboard), signed in as the demo's board member and secretariat, in Arabic and French, at
1280 and 390 px: no WCAG 2.2 AA violation for axe-core, no page scrolling sideways on a phone,
nothing refused under the Content-Security-Policy (tests/e2e/accessibility.py)."""

import pytest

from decisions.management.commands.load_demo import MEMBER_USERS, SECRETARIAT_USER
from tests.e2e.accessibility import Person, demo_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_no_signed_in_page_has_an_accessibility_violation_in_either_language_or_width(
    live_server, chromium_browser
):
    pages = demo_pages()
    base = live_server.url
    board_member = Person.signed_in(
        chromium_browser, base, "/members/login/", MEMBER_USERS["secretary_of_state"]
    )
    secretary = Person.signed_in(chromium_browser, base, "/admin/login/", SECRETARIAT_USER)

    found = {
        **board_member.check(base, pages["member"], phone_fits=True),
        **secretary.check(base, pages["admin"], phone_fits=True),
    }

    assert found == {}
    for person in (board_member, secretary):
        person.leaves()
