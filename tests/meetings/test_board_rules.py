"""Each board's rules as data (meetings.models.Board): edited in the admin, obeyed by the cycle, cited by
the minutes. The quorums, the proxies and the delays have tests of their own (test_quorum,
test_convocation, test_notifications); here, who signs the minutes and the rules' record."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from meetings.convocation.awaiting import with_what_awaits
from meetings.models import Board, Minutes, Session
from meetings.models.record import session_record
from tests import factory
from tests import pdf as pdf_tools
from tests.actors import actors
from tests.members import admin_form

pytestmark = pytest.mark.django_db

State = Minutes.State


def president_alone(cast) -> None:
    Board.objects.filter(pk=cast.session.board_id).update(minutes_signed_by=Board.SignedBy.PRESIDENT)
    cast.session.board.refresh_from_db()


def test_the_record_keeps_the_rules_the_session_applied():
    cast = actors()
    board = cast.session.board
    board.quorum_percent, board.max_proxies = 60, 2
    board.save()
    record = session_record(Session.objects.with_record().get(pk=cast.session.pk))
    assert record["rules"] == {
        "quorum_percent": 60,
        "second_call": False,
        "max_proxies": 2,
        "signed_by": ["president", "rapporteur"],
    }


def test_a_second_convocation_applies_the_second_quorum():
    board = factory.board(quorum_percent=50, second_call_quorum_percent=0)
    first = factory.session(board, ordinal=1)
    second = factory.session(board, ordinal=2, second_call_of=first)
    assert second.rules["quorum_percent"] == 0 and second.rules["second_call"] is True
    assert first.rules["quorum_percent"] == 50


def test_where_the_president_alone_signs_their_approval_approves_the_minutes():
    cast = actors()
    president_alone(cast)
    minutes = cast.minutes(State.IN_REVIEW)

    factory.approve(minutes, by=cast.president)

    minutes.refresh_from_db()
    assert minutes.state == State.APPROVED
    assert list(minutes.approvals.values_list("role", flat=True)) == ["president"]


def test_where_the_president_alone_signs_the_rapporteur_does_not_approve():
    cast = actors()
    president_alone(cast)
    minutes = cast.minutes(State.IN_REVIEW)

    with pytest.raises(PermissionDenied):
        factory.approve(minutes, by=cast.rapporteur)
    assert not minutes.approvals.exists()
    awaiting = with_what_awaits(Session.objects.filter(pk=cast.session.pk), cast.rapporteur.member).get()
    assert not awaiting.awaits_approval
    awaiting = with_what_awaits(Session.objects.filter(pk=cast.session.pk), cast.president.member).get()
    assert awaiting.awaits_approval


def test_changing_who_signs_withdraws_the_approvals_given():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    factory.approve(minutes, by=cast.president)
    factory.approve(minutes, by=cast.rapporteur)
    minutes.refresh_from_db()
    assert minutes.state == State.APPROVED

    board = cast.session.board
    board.minutes_signed_by = Board.SignedBy.PRESIDENT
    board.save()
    board.recheck_approvals()

    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW


def test_the_minutes_cite_the_rules_and_leave_one_signature_where_one_signs():
    cast = actors()
    president_alone(cast)
    board = cast.session.board
    board.quorum_percent, board.max_proxies = 60, 2
    board.save()

    text = pdf_tools.normalized(pdf_tools.text(factory.draft_pdf(cast.session)))

    assert pdf_tools.normalized("أكثر من 60 في المائة من الأعضاء ذوي الحق في التصويت") in text
    assert pdf_tools.normalized("أن يحمل أكثر من وكالتين") in text
    assert pdf_tools.normalized("رئيس المجلس الإداري") in text
    assert pdf_tools.normalized("مقرر المجلس الإداري") not in text


def test_an_administrator_edits_a_rule_in_the_admin(client):
    board = factory.board()
    client.force_login(User.objects.create_superuser("it", password="it-pass-123456"))
    url = f"/admin/meetings/board/{board.pk}/change/"
    form = admin_form(client, url, "board_form")
    for field in ["quorum_percent", "second_call_quorum_percent", "max_proxies", "convocation_days"]:
        assert field in form  # the rules gathered on the board's page

    form.update(minutes_signed_by="president", written_consultation="on", written_majority="two_thirds")
    response = client.post(url, form)

    assert response.status_code == 302
    board.refresh_from_db()
    assert (board.minutes_signed_by, board.written_consultation, board.written_majority) == (
        "president",
        True,
        "two_thirds",
    )
    assert board.signing_roles == ("president",)


def test_the_secretariat_reads_the_rules_but_does_not_change_them(client):
    board = factory.board()
    client.force_login(factory.secretariat_user())
    page = client.get(f"/admin/meetings/board/{board.pk}/change/")
    assert page.status_code == 200
    assert 'name="minutes_signed_by"' not in page.content.decode()
    assert (
        client.post(f"/admin/meetings/board/{board.pk}/change/", {"quorum_percent": "10"}).status_code == 403
    )
