"""A session entered by mistake is deleted by the secretariat while nobody was told of it; once convened,
its way out is its cancellation, in the admin as in the shell."""

import datetime

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings.convocation import convening
from meetings.models import Session
from tests import factory
from tests.client import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> Client:
    client = Client()
    client.force_login(factory.secretariat_user())
    return client


def _upcoming() -> Session:
    board = factory.board()
    factory.seat(board, email="m@entraide.ma")
    return factory.session(board, timezone.localdate() + datetime.timedelta(days=30), 1)


def test_the_secretariat_deletes_a_session_never_convened_and_the_log_says_who(desk):
    mistake = _upcoming()
    page = desk.get(f"/admin/meetings/session/{mistake.pk}/change/").content.decode()
    assert f"/admin/meetings/session/{mistake.pk}/delete/" in page
    assert desk.post(f"/admin/meetings/session/{mistake.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Session.objects.filter(pk=mistake.pk).exists()
    entry = LogEntry.objects.get(object_id=str(mistake.pk), action_flag=DELETION)
    assert entry.user.username == "secretary"


def test_a_convened_session_is_cancelled_not_deleted(desk):
    convened = _upcoming()
    convening.convene(convened, by=factory.secretariat_user("desk2"))
    page = desk.get(f"/admin/meetings/session/{convened.pk}/change/").content.decode()
    assert f"/admin/meetings/session/{convened.pk}/delete/" not in page
    assert desk.post(f"/admin/meetings/session/{convened.pk}/delete/", {"post": "yes"}).status_code == 403
    # The model refuses too, so the shell does (the list has no bulk deletion of sessions).
    with pytest.raises(ValidationError):
        Session.objects.get(pk=convened.pk).delete()
    assert Session.objects.filter(pk=convened.pk).exists()
