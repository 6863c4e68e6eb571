"""No admin page the secretariat works in scrolls sideways on a phone (390 px), in Arabic or in French:
a table too wide becomes cards or scrolls inside its own box (static/admin/**/*.css). The pages of the
sessions, the minutes, the follow-up and the dashboard are checked with the accessibility of the admin
(tests/e2e/test_accessibility_signed_in.py); these are the others the secretariat uses."""

import io

import pytest
from django.core.management import call_command

from decisions.management.commands.load_demo import SECRETARIAT_USER
from meetings.models import Member
from tests.e2e.accessibility import LANGUAGES, Person, sideways_overflow

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def test_no_admin_page_of_the_secretariat_scrolls_sideways_on_a_phone(live_server, chromium_browser):
    call_command("load_demo", stdout=io.StringIO())
    member = Member.objects.filter(memberships__isnull=False).first()
    pages = [
        "/admin/meetings/member/",
        f"/admin/meetings/member/{member.pk}/change/",
        "/admin/meetings/message/",
        "/admin/decisions/resolution/",
        "/admin/decisions/followup/",
    ]
    secretary = Person.signed_in(chromium_browser, live_server.url, "/admin/login/", SECRETARIAT_USER)
    secretary.page.set_viewport_size(PHONE)

    wider = {}
    for address in (language + path for language in LANGUAGES for path in pages):
        response = secretary.page.goto(live_server.url + address)
        assert response.status == 200, address
        if sideways_overflow(secretary.page) > 0:
            wider[address] = secretary.page.evaluate("document.documentElement.scrollWidth")

    assert wider == {}
    secretary.leaves()
