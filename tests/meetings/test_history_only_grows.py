"""The history that says who approved, who moved the minutes and who changed seats, accounts, addresses
and second factors only grows (meetings' migration 0027): as the application's database role, a row of
it is never deleted nor changed; an approval's one change is its withdrawal; and a new approval names the
second factor given for it, in the five minutes before it."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from meetings.models import Approval, DutyLog, Minutes, Transition
from tests.actors import actors
from tests.database import acting_as, application_role, postgresql_only

__all__ = ["application_role"]  # a fixture, used by name

pytestmark = [postgresql_only, pytest.mark.django_db]

State = Minutes.State
REFUSED = "only grows|never deleted nor changed"


@pytest.fixture
def approved():
    """Minutes approved by the president and the rapporteur, with their history. (The guard does not ask
    the minutes' state: approved minutes, which would take a signature to make, are kept the same.)"""
    return actors(home=False).minutes(State.APPROVED)


@pytest.mark.parametrize(
    "rows",
    [
        lambda minutes: Approval.objects.filter(minutes=minutes),
        lambda minutes: Transition.objects.filter(minutes=minutes),
        lambda minutes: DutyLog.objects.all(),
    ],
    ids=["approvals", "transitions", "duties-log"],
)
def test_the_application_role_deletes_no_history(approved, application_role, rows):
    assert rows(approved).exists()

    with pytest.raises(IntegrityError, match=REFUSED), acting_as(application_role):
        rows(approved)._raw_delete(rows(approved).db)  # one DELETE statement, as psql would send it

    assert rows(approved).exists()


@pytest.mark.parametrize(
    "rows, change",
    [
        (lambda minutes: Transition.objects.filter(minutes=minutes), {"reason": "أُعيدت كتابته"}),
        (lambda minutes: DutyLog.objects.all(), {"detail": "ما حدث لم يحدث"}),
        (lambda minutes: DutyLog.objects.exclude(member=None), {"member": None}),
        (lambda minutes: Approval.objects.filter(minutes=minutes), {"member": None}),
        (lambda minutes: Approval.objects.filter(minutes=minutes), {"at": timezone.now()}),
    ],
    ids=["transition-reason", "log-detail", "log-member", "approval-member", "approval-time"],
)
def test_the_application_role_rewrites_no_history(approved, application_role, rows, change):
    if "member" in change and rows is not None and rows(approved).model is Approval:  # another person's name
        change = {
            "member": approved.session.attendances.exclude(member__approvals__minutes=approved)[0].member
        }
    before = list(rows(approved).values())

    with pytest.raises(IntegrityError, match=REFUSED), acting_as(application_role):
        rows(approved).update(**change)

    assert list(rows(approved).values()) == before


def test_an_approval_is_withdrawn_once_and_stays(application_role):
    minutes = actors(home=False).minutes(State.APPROVED)
    approvals = Approval.objects.filter(minutes=minutes)

    with acting_as(application_role):
        approvals.update(withdrawn_at=timezone.now())  # a change of the record withdraws them
    with pytest.raises(IntegrityError, match=REFUSED), acting_as(application_role):
        approvals.update(withdrawn_at=None)  # and nothing gives them back

    assert approvals.filter(withdrawn_at__isnull=False).count() == 2


@pytest.mark.parametrize(
    "factor",
    [
        {"factor": "", "factor_at": None},
        {"factor": Approval.Factor.APP, "factor_at": timezone.now() - datetime.timedelta(minutes=6)},
    ],
    ids=["without-a-factor", "with-a-stale-factor"],
)
def test_a_new_approval_needs_a_fresh_second_factor(application_role, factor):
    cast = actors(home=False)
    minutes = cast.minutes(State.IN_REVIEW)
    forged = {"minutes": minutes, "role": "president", "member": cast.president.member, "by": cast.president}

    with pytest.raises(IntegrityError, match="second factor"), acting_as(application_role):
        Approval.objects.create(**forged, fingerprint="f" * 64, **factor)

    assert not minutes.approvals.exists()
