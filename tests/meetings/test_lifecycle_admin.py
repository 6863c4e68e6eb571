"""The minutes' lifecycle from the admin: the buttons post to meetings.minutes.lifecycle, which holds every rule."""

import re
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages

from meetings.minutes import lifecycle
from meetings.models import Comment, Minutes
from tests.actors import Actors, actors
from tests.lifecycle_messages import (
    ALREADY_DRAFTING,
    NOW_IN_STATE,
    REASON_TO_RETURN,
    STATE_NAMES,
    not_possible,
)

pytestmark = pytest.mark.django_db

State = Minutes.State


def move_url(minutes: Minutes, action: str) -> str:
    return f"/admin/meetings/minutes/{minutes.pk}/move/{action}/"


def start_url(session) -> str:
    return f"/admin/meetings/minutes/start/{session.pk}/"


def change_url(minutes: Minutes) -> str:
    return f"/admin/meetings/minutes/{minutes.pk}/change/"


def told(response) -> list[tuple[str, str]]:
    return [(message.tags, str(message)) for message in get_messages(response.wsgi_request)]


def staff_without_the_lifecycle(*codenames: str) -> User:
    """A staff user of the admin, outside the secretariat, with only the given permissions of meetings."""
    user = User.objects.create_user("clerk", password="cl3rk-pass!", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="meetings", codename__in=codenames)
    )
    return user


@pytest.fixture(scope="module")
def _signed(module_db) -> SimpleNamespace:
    """Signed minutes shared by the module's tests (signing takes a second), on a board that is not the
    home board, which the other tests' actors take; each test runs in a transaction of its own inside the
    module's, which undoes what it changed."""
    cast = actors(home=False)
    return SimpleNamespace(cast=cast, pk=cast.minutes(State.SIGNED).pk)


@pytest.fixture
def minutes_in(_signed) -> Callable[[str], tuple[Actors, Minutes]]:
    """The actors and their minutes in a state: the module's signed minutes for signed and published ones
    (published in the test's own transaction, which undoes it), made for the test in the other states."""

    def make(state: str) -> tuple[Actors, Minutes]:
        if state in (State.SIGNED, State.PUBLISHED):
            cast = _signed.cast
            if state == State.PUBLISHED:
                lifecycle.publish(Minutes.objects.get(pk=_signed.pk), by=cast.secretary)
            return cast, Minutes.objects.get(pk=_signed.pk)
        cast = actors()
        return cast, cast.minutes(state)

    return make


# The secretariat's buttons


def test_the_secretariat_starts_the_minutes_from_the_session(client):
    cast = actors()
    client.force_login(cast.secretary)

    response = client.post(start_url(cast.session))

    minutes = cast.session.minutes_versions.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(minutes)
    assert minutes.state == State.DRAFT
    assert told(response) == [("success", NOW_IN_STATE.format("مسودة"))]


@pytest.mark.parametrize(
    ("state", "action", "reason", "target"),
    [
        (State.DRAFT, "submit", "", State.IN_REVIEW),
        (State.IN_REVIEW, "return_to_draft", "تصحيح أسماء الحاضرين", State.DRAFT),
        (State.APPROVED, "return_to_draft", "تصحيح أسماء الحاضرين", State.DRAFT),
        (State.SIGNED, "publish", "", State.PUBLISHED),
    ],
)
def test_the_secretariat_moves_the_minutes_with_a_button(client, minutes_in, state, action, reason, target):
    # The signature is long work, given to the task queue: test_queued_work.py.
    cast, minutes = minutes_in(state)
    client.force_login(cast.secretary)

    response = client.post(move_url(minutes, action), {"reason": reason, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == change_url(minutes)
    minutes.refresh_from_db()
    assert minutes.state == target
    assert told(response) == [("success", NOW_IN_STATE.format(STATE_NAMES[target]))]


@pytest.mark.parametrize("state", [State.SIGNED, State.PUBLISHED])
def test_the_secretariat_starts_a_corrected_version_with_a_reason(client, minutes_in, state):
    cast, signed = minutes_in(state)
    client.force_login(cast.secretary)

    response = client.post(move_url(signed, "new_version"), {"reason": "خطأ مادي في اسم عضو"})

    correction = cast.session.minutes_versions.get(version=2)
    assert response.status_code == 302
    assert response["Location"] == change_url(correction)
    assert (correction.state, correction.reason) == (State.DRAFT, "خطأ مادي في اسم عضو")
    signed.refresh_from_db()
    assert signed.state == state


def test_a_move_refused_by_the_rules_says_why_and_changes_nothing(client):
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    client.force_login(cast.secretary)

    response = client.post(move_url(minutes, "return_to_draft"), {"reason": ""})

    assert response.status_code == 302
    assert response["Location"] == change_url(minutes)
    assert told(response) == [("error", REASON_TO_RETURN)]
    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW


def test_a_move_the_state_does_not_offer_is_refused(client):
    cast = actors()
    minutes = cast.minutes(State.DRAFT)
    client.force_login(cast.secretary)

    response = client.post(move_url(minutes, "sign"))

    assert told(response) == [("error", not_possible(State.DRAFT))]
    minutes.refresh_from_db()
    assert (minutes.state, minutes.sha256) == (State.DRAFT, "")


def test_starting_the_minutes_twice_is_refused(client):
    cast = actors()
    minutes = cast.minutes(State.DRAFT)
    client.force_login(cast.secretary)

    response = client.post(start_url(cast.session))

    assert response["Location"] == change_url(minutes)
    assert told(response) == [("error", ALREADY_DRAFTING)]
    assert cast.session.minutes_versions.count() == 1


# Who may press them, and how


# «sign» is not offered on a draft: the person is refused before the state is looked at.
@pytest.mark.parametrize("action", ["submit", "return_to_draft", "sign"])
def test_a_staff_user_without_the_lifecycle_permission_gets_a_403_on_a_move(client, action):
    cast = actors()
    minutes = cast.minutes(State.DRAFT)
    client.force_login(staff_without_the_lifecycle("view_minutes", "change_minutes"))

    response = client.post(move_url(minutes, action), {"reason": "سبب"})

    assert response.status_code == 403
    minutes.refresh_from_db()
    assert minutes.state == State.DRAFT


def test_a_staff_user_without_the_lifecycle_permission_gets_a_403_on_start(client):
    cast = actors()
    client.force_login(staff_without_the_lifecycle("view_session", "change_session"))

    response = client.post(start_url(cast.session))

    assert response.status_code == 403
    assert not cast.session.minutes_versions.exists()


@pytest.mark.parametrize("url", ["move", "start"])
def test_a_get_on_a_lifecycle_address_is_a_404_and_moves_nothing(client, url):
    cast = actors()
    minutes = cast.minutes(State.DRAFT)
    client.force_login(cast.secretary)

    response = client.get(move_url(minutes, "submit") if url == "move" else start_url(cast.session))

    assert response.status_code == 404
    minutes.refresh_from_db()
    assert minutes.state == State.DRAFT
    assert cast.session.minutes_versions.count() == 1


def test_someone_outside_the_admin_is_sent_to_its_login(client):
    cast = actors()
    minutes = cast.minutes(State.DRAFT)
    client.force_login(cast.president)

    response = client.post(move_url(minutes, "submit"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    minutes.refresh_from_db()
    assert minutes.state == State.DRAFT


# The buttons shown


def buttons(html: str, minutes: Minutes) -> list[str]:
    return re.findall(
        rf'<form method="post" action="/admin/meetings/minutes/{minutes.pk}/move/([\w-]+)/"', html
    )


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        (State.DRAFT, ["submit"]),
        (State.IN_REVIEW, ["return_to_draft"]),
        (State.APPROVED, ["sign", "return_to_draft"]),
        (State.SIGNED, ["publish", "new_version"]),
        (State.PUBLISHED, ["new_version"]),
    ],
)
def test_the_minutes_page_offers_the_buttons_of_its_state(client, minutes_in, state, offered):
    cast, minutes = minutes_in(state)
    client.force_login(cast.secretary)

    response = client.get(change_url(minutes))

    assert response.status_code == 200
    assert buttons(response.content.decode(), minutes) == offered


@pytest.mark.parametrize(
    ("state", "label"),
    [
        (State.DRAFT, "عرض المسودة على أعضاء المجلس للمراجعة"),
        (State.IN_REVIEW, "إرجاع إلى المسودة"),
        (State.APPROVED, "توقيع المحضر"),
    ],
)
def test_the_buttons_are_labelled_in_arabic(client, state, label):
    cast = actors()
    minutes = cast.minutes(state)
    client.force_login(cast.secretary)

    response = client.get(change_url(minutes))

    assert label in response.content.decode()


def test_a_move_that_needs_a_reason_asks_for_it(client):
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    client.force_login(cast.secretary)

    html = client.get(change_url(minutes)).content.decode()

    form = html[html.index(f'action="{move_url(minutes, "return_to_draft")}"') :]
    form = form[: form.index("</form>")]
    assert re.search(r'<textarea[^>]*name="reason"[^>]*required', form)


def test_a_staff_user_who_may_only_view_the_minutes_sees_no_button(client):
    cast = actors()
    minutes = cast.minutes(State.DRAFT)
    client.force_login(staff_without_the_lifecycle("view_minutes"))

    response = client.get(change_url(minutes))

    assert response.status_code == 200
    assert buttons(response.content.decode(), minutes) == []


def test_the_session_page_offers_to_start_the_minutes_until_they_exist(client):
    cast = actors()
    client.force_login(cast.secretary)

    html = client.get(f"/admin/meetings/session/{cast.session.pk}/change/").content.decode()

    assert f'action="{start_url(cast.session)}"' in html
    assert "بدء تحرير المحضر" in html


def test_the_session_page_links_to_its_latest_minutes_with_their_state(client):
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    client.force_login(cast.secretary)

    html = client.get(f"/admin/meetings/session/{cast.session.pk}/change/").content.decode()

    assert f'href="{change_url(minutes)}"' in html
    assert f'action="{start_url(cast.session)}"' not in html
    assert "قيد المراجعة" in html


@pytest.mark.parametrize(
    ("state", "action", "said"),
    [
        (State.APPROVED, "sign", "لا يمكن بعد ذلك أن يتغير سجل الدورة"),
        (State.SIGNED, "publish", "لا يمكن سحب النشر"),
    ],
)
def test_signing_and_publishing_say_what_they_do_and_wait_for_a_confirmation(
    client, minutes_in, state, action, said
):
    cast, minutes = minutes_in(state)
    client.force_login(cast.secretary)
    page = client.get(change_url(minutes)).content.decode()
    form = page[page.index(f'action="{move_url(minutes, action)}"') :]
    form = form[: form.index("</form>")]
    assert 'name="confirm"' in form and "required" in form and said in form

    response = client.post(move_url(minutes, action))

    assert told(response) == [("error", "أكّدوا أولا أنكم قرأتم ما تفعله هذه الخطوة.")]
    minutes.refresh_from_db()
    assert minutes.state == state


def test_the_page_of_signed_minutes_has_nothing_to_edit(client, minutes_in):
    cast, minutes = minutes_in(State.SIGNED)
    Comment.objects.create(minutes=minutes, member=cast.member.member, text="ملاحظة متأخرة")
    client.force_login(cast.secretary)
    page = client.get(change_url(minutes)).content.decode()
    assert 'name="_save"' not in page and "<textarea" not in page.split('id="comments-group"')[1]
    assert f'action="{move_url(minutes, "publish")}"' in page  # the next move is still offered
