"""Every public page of the demo (its two signed sessions of 2025 and the session it convenes, as `make run`
shows them), in Arabic and in French, at a desktop's width and at a phone's (390 px): axe-core finds no
WCAG 2.2 AA violation, no page scrolls sideways on the phone, and the browser refuses nothing under the
pages' Content-Security-Policy (tests/e2e/accessibility.py)."""

import pytest

from tests.e2e.accessibility import Person, demo_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_no_public_page_has_an_accessibility_violation_in_either_language_or_width(
    live_server, chromium_browser
):
    pages = demo_pages()
    visitor = Person.signed_in(chromium_browser, live_server.url)

    found = visitor.check(live_server.url, pages["public"], phone_fits=True)

    assert found == {}
    visitor.leaves()
