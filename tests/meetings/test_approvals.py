"""Approving the minutes: the president and the rapporteur of the session's board approve them, for the
record as it stands; a change to the record withdraws the approvals given to it."""

import contextlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from meetings.minutes import lifecycle
from meetings.models import Approval, Member, Membership, Minutes
from meetings.models.record import record_fingerprint
from tests import factory
from tests.actors import actors
from tests.lifecycle_messages import (
    ALREADY_APPROVED,
    APPROVALS_OUTDATED,
    APPROVALS_WITHDRAWN,
    ONLY_APPROVERS,
    SECRETARIAT_NEVER_APPROVES,
    not_possible,
)

pytestmark = pytest.mark.django_db

State = Minutes.State
BOTH = {Approval.Role.PRESIDENT, Approval.Role.RAPPORTEUR}


def history(minutes: Minutes) -> list[tuple]:
    return [(t.source, t.target, t.by, t.reason) for t in minutes.transitions.all()]


# Who approves


@pytest.mark.parametrize("who", ["president", "rapporteur"])
def test_the_president_and_the_rapporteur_each_approve_the_minutes_in_review(who):
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)

    factory.approve(minutes, by=getattr(cast, who))

    approval = minutes.approvals.get()
    assert (approval.role, approval.by) == (who, getattr(cast, who))
    assert approval.member == getattr(cast, who).member
    assert approval.fingerprint == record_fingerprint(cast.session)


@pytest.mark.parametrize("who", ["president", "rapporteur"])
def test_one_approval_leaves_the_minutes_in_review(who):
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)

    factory.approve(minutes, by=getattr(cast, who))

    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW


def test_the_minutes_are_approved_once_both_the_president_and_the_rapporteur_approve():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)

    factory.approve(minutes, by=cast.rapporteur)
    factory.approve(minutes, by=cast.president)

    minutes.refresh_from_db()
    assert minutes.state == State.APPROVED
    assert set(minutes.valid_approvals()) == BOTH


@pytest.mark.parametrize(
    "who, message",
    [("member", ONLY_APPROVERS), ("secretary", SECRETARIAT_NEVER_APPROVES), ("outsider", ONLY_APPROVERS)],
)
def test_only_the_president_and_the_rapporteur_approve(who, message):
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)

    with pytest.raises(PermissionDenied) as refusal:
        factory.approve(minutes, by=getattr(cast, who))

    assert str(refusal.value) == message
    assert not minutes.approvals.exists()


def test_a_president_whose_seat_ended_before_the_session_does_not_approve():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    former = factory.seat(
        cast.session.board, Membership.Role.PRESIDENT, end=cast.session.date.replace(month=1)
    )

    with pytest.raises(PermissionDenied):
        factory.approve(minutes, by=factory.user_for(former))


def test_the_rapporteur_approving_twice_is_refused():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    factory.approve(minutes, by=cast.rapporteur)

    with pytest.raises(ValidationError) as refusal:
        factory.approve(minutes, by=cast.rapporteur)

    assert refusal.value.messages == [ALREADY_APPROVED]
    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW
    assert minutes.approvals.count() == 1


def test_approving_a_draft_is_refused():
    cast = actors()
    minutes = cast.minutes(State.DRAFT)

    with pytest.raises(ValidationError) as refusal:
        factory.approve(minutes, by=cast.president)

    assert refusal.value.messages == [not_possible(State.DRAFT)]
    assert not minutes.approvals.exists()


# A change to the record withdraws the approvals


def change_agenda_item_title(cast):
    cast.item.title = "مشروع مخطط العمل المعدل"
    cast.item.save()


def test_changing_an_agenda_item_after_both_approvals_returns_the_minutes_to_review():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)

    change_agenda_item_title(cast)

    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW


def test_approvals_given_before_a_change_no_longer_count():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)

    change_agenda_item_title(cast)

    assert minutes.valid_approvals() == {}
    assert minutes.approvals.count() == 2  # kept for the record, no longer counted


def test_the_withdrawal_of_the_approvals_is_recorded_with_its_reason():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)

    change_agenda_item_title(cast)

    assert history(minutes)[-1] == (State.APPROVED, State.IN_REVIEW, None, APPROVALS_WITHDRAWN)


def test_after_a_withdrawal_both_must_approve_the_changed_record_again():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    change_agenda_item_title(cast)

    factory.approve(minutes, by=cast.president)
    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW
    factory.approve(minutes, by=cast.rapporteur)

    minutes.refresh_from_db()
    assert minutes.state == State.APPROVED


def test_an_approval_given_before_a_change_in_review_does_not_count_toward_approval():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    factory.approve(minutes, by=cast.rapporteur)
    change_agenda_item_title(cast)

    factory.approve(minutes, by=cast.president)

    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW
    assert set(minutes.valid_approvals()) == {Approval.Role.PRESIDENT}


def _change_attendance(cast):
    attendance = cast.session.attendances.get(member=cast.member.member)
    attendance.status = "excused"
    attendance.save()


def _change_resolution(cast):
    cast.resolution.text = "يقرر المجلس المصادقة مع تعديل."
    cast.resolution.save()


def _change_session(cast):
    cast.session.place = "مقر المؤسسة، الرباط"
    cast.session.save()


def _add_resolution(cast):
    factory.resolution(cast.session, 2, title="قرار ثان")


def _delete_attendance(cast):
    cast.session.attendances.get(member=cast.member.member).delete()


@pytest.mark.parametrize(
    "change",
    [_change_attendance, _change_resolution, _change_session, _add_resolution, _delete_attendance],
    ids=["attendance", "resolution", "session", "new resolution", "deleted attendance"],
)
def test_any_change_to_the_sessions_record_after_approval_withdraws_it(change):
    cast = actors()
    minutes = cast.minutes(State.APPROVED)

    change(cast)

    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW
    assert minutes.valid_approvals() == {}


def test_saving_the_approved_record_unchanged_keeps_the_approvals():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)

    cast.session.save()  # the secretariat presses «Save» on the session's page without changing anything
    cast.item.save()

    minutes.refresh_from_db()
    assert minutes.state == State.APPROVED
    assert set(minutes.valid_approvals()) == BOTH


def test_minutes_resubmitted_unchanged_after_a_return_to_draft_can_be_approved_again():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    lifecycle.return_to_draft(minutes, by=cast.secretary, reason="مراجعة الصياغة")
    lifecycle.submit_for_review(minutes, by=cast.secretary)

    for approver in (cast.president, cast.rapporteur):
        with contextlib.suppress(ValidationError):  # «already recorded» is fine, if the minutes move on
            factory.approve(minutes, by=approver)

    minutes.refresh_from_db()
    assert minutes.state == State.APPROVED


def test_a_change_the_minutes_show_from_outside_the_session_sends_them_back_to_review():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    # A member's name is printed in the minutes but is not a row of the session's record.
    member = cast.member.member
    member.name_ar = "عبد الجبار الرشيدي (مصحح)"
    member.save()

    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW
    assert history(minutes)[-1] == (State.APPROVED, State.IN_REVIEW, None, APPROVALS_WITHDRAWN)
    with pytest.raises(ValidationError) as refusal:
        lifecycle.sign(minutes, by=cast.secretary)
    assert refusal.value.messages == [not_possible(State.IN_REVIEW)]
    minutes.refresh_from_db()
    assert minutes.sha256 == ""


def test_the_signature_is_refused_when_the_approvals_no_longer_match_the_record():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    # Past the models (no recheck ran): the signature checks the approvals again.
    Member.objects.filter(pk=cast.member.member.pk).update(name_ar="عبد الجبار الرشيدي (مصحح)")

    with pytest.raises(ValidationError) as refusal:
        lifecycle.sign(minutes, by=cast.secretary)

    assert refusal.value.messages == [APPROVALS_OUTDATED]
    minutes.refresh_from_db()
    assert (minutes.state, minutes.sha256) == (State.APPROVED, "")
