"""Duties kept apart: the secretariat enters the record, the president and the rapporteur vouch for it,
administrators link accounts to people. Each attack on that split is refused, whatever the entry point
(the admin, the member pages, the shell), with a message, and kept in the duties' log."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.minutes import lifecycle
from meetings.models import Approval, DutyLog, Member, Membership, Minutes, Session
from meetings.models.duties import DutyRefused, acting_user
from meetings.models.record import record_fingerprint
from tests import factory
from tests.actors import actors
from tests.lifecycle_messages import APPROVALS_WITHDRAWN, SECRETARIAT_NEVER_APPROVES, not_possible
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

State = Minutes.State
KEPT_APART = (
    "لا يمكن أن يكون حساب الكتابة أو حساب مسؤول النظام حسابا لرئيس المجلس أو لمقرره: "
    "يُفصل بين من يحرر السجل ومن يصادق عليه."
)
ONLY_ADMINISTRATORS_LINK = "لا يربط حساب مستخدم بعضو إلا مسؤول النظام."
TWO_PEOPLE = "تصدر المصادقتان عن شخصين مختلفين: مصادقتك مسجلة من قبل."
BOTH_SEATS = "لا يمكن لشخص واحد أن يشغل مقعدي الرئيس والمقرر في الوقت نفسه."
SIGNER_APPROVED = "الحساب الذي صادق على المحضر لا يوقعه."


def member_form(name: str, **fields) -> dict:
    """The admin's «add member» form as a browser posts it, with one seat in its inline."""
    data = {
        "name_ar": name,
        "name_fr": "",
        "title_ar": "",
        "title_fr": "",
        "email": "",
        "language": "ar",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    return {**data, **fields}


def with_seat(data: dict, board, role: str) -> dict:
    return {
        **data,
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-board": str(board.pk),
        "memberships-0-role": role,
        "memberships-0-start": "2024-01-01",
        "memberships-0-end": "",
    }


def administrator() -> User:
    return User.objects.create_superuser("admin", password="adm1n-pass!")


def refusals() -> list[str]:
    return list(DutyLog.objects.filter(kind=DutyLog.Kind.REFUSED).values_list("detail", flat=True))


# The attack of the issue: the secretariat makes itself the president, approves, changes its seat, approves


def test_the_secretariat_cannot_link_its_own_account_to_a_member_in_the_admin(client):
    cast = actors()
    client.force_login(cast.secretary)
    board = cast.session.board

    response = client.post(
        "/admin/meetings/member/add/",
        with_seat(
            member_form("نعيمة بن يحيى", user=str(cast.secretary.pk)), board, Membership.Role.PRESIDENT
        ),
    )

    assert response.status_code == 302  # saved, without the account: the field is not the secretariat's
    created = Member.objects.get(name_ar="نعيمة بن يحيى", user__isnull=True)
    assert created.memberships.get().role == Membership.Role.PRESIDENT
    assert not Member.objects.filter(user=cast.secretary).exists()


def test_the_member_page_shows_the_secretariat_the_account_read_only(client):
    cast = actors()
    client.force_login(cast.secretary)

    page = client.get(f"/admin/meetings/member/{cast.president.member.pk}/change/").content.decode()

    assert 'name="user"' not in page
    assert cast.president.username in page


def test_the_secretariat_cannot_link_an_account_from_the_shell_on_its_own_behalf():
    cast = actors()
    stranger = factory.member(name_ar="عضو بلا حساب")
    stranger.user = User.objects.create_user("newcomer")
    token = acting_user.set(cast.secretary)
    try:
        with pytest.raises(ValidationError) as refusal:
            stranger.save()
    finally:
        acting_user.reset(token)

    assert refusal.value.messages == [ONLY_ADMINISTRATORS_LINK]
    assert Member.objects.get(pk=stranger.pk).user is None
    assert ONLY_ADMINISTRATORS_LINK in refusals()


def test_an_administrator_cannot_link_a_staff_account_to_an_approving_member(client):
    cast = actors()
    client.force_login(administrator())

    response = client.post(
        "/admin/meetings/member/add/",
        with_seat(member_form("رئيس مزور", user=str(cast.secretary.pk)), cast.session.board, "president"),
    )

    assert response.status_code == 200
    assert KEPT_APART in visible_text(response)
    assert not Member.objects.filter(name_ar="رئيس مزور").exists()
    assert KEPT_APART in refusals()


def test_an_administrator_links_a_plain_account_and_the_link_is_logged(client):
    cast = actors()
    admin = administrator()
    client.force_login(admin)
    newcomer = User.objects.create_user("newcomer")

    response = client.post("/admin/meetings/member/add/", member_form("عضو جديد", user=str(newcomer.pk)))

    assert response.status_code == 302
    entry = DutyLog.objects.get(kind=DutyLog.Kind.ACCOUNT, member__name_ar="عضو جديد")
    assert (entry.by, entry.detail) == (admin, "الحساب: من — إلى newcomer")
    assert cast.session.current_minutes() is None


@pytest.mark.parametrize("role", [Membership.Role.PRESIDENT, Membership.Role.RAPPORTEUR])
def test_a_secretariat_account_never_gets_an_approving_seat(role):
    cast = actors()
    impostor = factory.member(name_ar="نعيمة بن يحيى")
    Member.objects.filter(pk=impostor.pk).update(user=cast.secretary)  # as if it had slipped past
    impostor.refresh_from_db()

    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(
            board=cast.session.board, member=impostor, role=role, start=datetime.date(2024, 1, 1)
        )

    assert refusal.value.messages == [KEPT_APART]
    assert not impostor.memberships.exists()


@pytest.mark.parametrize("how", ["staff", "group", "permission"])
def test_the_account_of_an_approving_member_never_becomes_the_secretariats(how):
    cast = actors()
    account = cast.president

    with pytest.raises(ValidationError) as refusal, transaction.atomic():
        if how == "staff":
            account.is_staff = True
            account.save()
        elif how == "group":
            account.groups.add(Group.objects.get(name="secretariat"))
        else:
            account.user_permissions.add(Permission.objects.get(codename="manage_minutes"))

    assert refusal.value.messages == [KEPT_APART]
    account = User.objects.get(pk=account.pk)
    assert not account.is_staff and not account.groups.exists() and not account.user_permissions.exists()


def test_the_secretariats_group_never_gains_an_approvers_account_through_its_permissions():
    cast = actors()
    group = Group.objects.create(name="readers")
    group.user_set.add(cast.rapporteur)

    with pytest.raises(ValidationError), transaction.atomic():
        group.permissions.add(Permission.objects.get(codename="manage_minutes"))

    assert not group.permissions.exists()


def test_an_account_of_the_secretariat_never_approves_even_linked_past_the_models():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    # Past every model rule: the president's member row pointed at the secretariat's account in SQL.
    Member.objects.filter(pk=cast.president.member.pk).update(user=cast.secretary)
    secretary = User.objects.get(pk=cast.secretary.pk)

    with pytest.raises(PermissionDenied) as refusal:
        factory.approve(minutes, by=secretary)

    assert str(refusal.value) == SECRETARIAT_NEVER_APPROVES
    assert not minutes.approvals.exists()
    entry = DutyLog.objects.get(kind=DutyLog.Kind.REFUSED)
    assert (entry.by, entry.detail) == (secretary, SECRETARIAT_NEVER_APPROVES)


def test_a_crafted_approval_post_by_a_staff_account_is_forbidden_with_the_reason(client):
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    Member.objects.filter(pk=cast.president.member.pk).update(user=cast.secretary)
    client.force_login(cast.secretary)

    response = client.post(f"/members/sessions/{cast.session.pk}/approve/")

    assert response.status_code == 403
    assert SECRETARIAT_NEVER_APPROVES in visible_text(response)
    assert not minutes.approvals.exists()


def test_a_seat_changed_between_two_approvals_leaves_the_minutes_unapproved():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    factory.approve(minutes, by=cast.president)
    # The president's seat becomes the rapporteur's (and the rapporteur steps down): the same person
    # would approve twice.
    board = cast.session.board
    Membership.objects.get(board=board, member=cast.rapporteur.member).delete()
    seat = Membership.objects.get(board=board, member=cast.president.member)
    seat.role = Membership.Role.RAPPORTEUR
    seat.save()

    factory.approve(minutes, by=cast.president)

    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW
    assert set(minutes.valid_approvals()) == {Approval.Role.RAPPORTEUR}
    with pytest.raises(ValidationError) as refusal:
        lifecycle.sign(minutes, by=cast.secretary)
    assert refusal.value.messages == [not_possible(State.IN_REVIEW)]


def test_one_person_never_holds_both_approving_seats():
    cast = actors()

    with pytest.raises(ValidationError) as refusal:
        Membership.objects.create(
            board=cast.session.board,
            member=cast.president.member,
            role=Membership.Role.RAPPORTEUR,
            start=datetime.date(2025, 1, 1),
        )

    assert refusal.value.messages == [BOTH_SEATS]


def test_the_same_member_never_gives_both_approvals_even_seated_twice_past_the_models():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    board = cast.session.board
    Membership.objects.filter(board=board, member=cast.rapporteur.member).delete()
    Membership.objects.bulk_create(  # both seats for the president, past Membership.save
        [
            Membership(
                board=board, member=cast.president.member, role="rapporteur", start=datetime.date(2024, 1, 1)
            )
        ]
    )

    factory.approve(minutes, by=cast.president)
    with pytest.raises(DutyRefused) as refusal:  # the second seat's approval, by the same person
        factory.approve(minutes, by=cast.president)

    assert refusal.value.message == TWO_PEOPLE
    assert TWO_PEOPLE in refusals()
    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW
    assert minutes.approvals.count() == 1


def test_the_database_refuses_two_approvals_of_one_record_by_one_person():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    fingerprint = record_fingerprint(Session.objects.with_record().get(pk=cast.session.pk))
    factory.approve(minutes, by=cast.president)

    forged = {
        "minutes": minutes,
        "role": Approval.Role.RAPPORTEUR,
        "fingerprint": fingerprint,
        "factor": Approval.Factor.APP,
        "factor_at": timezone.now(),
    }
    for same in (
        {"member": cast.president.member, "by": cast.rapporteur},
        {"member": cast.rapporteur.member, "by": cast.president},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():  # past lifecycle.approve
            Approval.objects.create(**forged, **same)

    assert minutes.approvals.count() == 1


def test_the_account_that_signs_approved_nothing():
    """A president who approved, then left the seat and joined the secretariat, does not sign the minutes
    the new president and the rapporteur approved after."""
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    factory.approve(minutes, by=cast.president)
    former = Membership.objects.get(board=cast.session.board, member=cast.president.member)
    former.role = Membership.Role.MEMBER
    former.save()
    factory.approve(minutes, by=factory.user_for(factory.seat(cast.session.board, Membership.Role.PRESIDENT)))
    factory.approve(minutes, by=cast.rapporteur)
    minutes.refresh_from_db()
    assert minutes.state == State.APPROVED
    cast.president.is_staff = True
    cast.president.save()
    cast.president.groups.add(Group.objects.get(name="secretariat"))

    with pytest.raises(DutyRefused) as refusal:
        lifecycle.sign(minutes, by=User.objects.get(pk=cast.president.pk))

    assert refusal.value.message == SIGNER_APPROVED
    minutes.refresh_from_db()
    assert (minutes.state, minutes.sha256) == (State.APPROVED, "")
    assert SIGNER_APPROVED in refusals()


# Changes after approval


def test_a_change_of_seat_after_approval_sends_the_minutes_back_to_review():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    seat = Membership.objects.get(board=cast.session.board, member=cast.member.member)

    seat.role = Membership.Role.INVITED  # the quorum the minutes state changes
    seat.save()

    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW
    assert minutes.transitions.last().reason == APPROVALS_WITHDRAWN
    assert minutes.approvals.filter(withdrawn_at__isnull=True).count() == 0


def test_a_change_of_an_approvers_account_after_approval_sends_the_minutes_back_to_review():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    rapporteur = cast.rapporteur.member
    rapporteur.user = User.objects.create_user("another-account")
    rapporteur.save()

    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW
    assert set(minutes.valid_approvals()) == set()


# The log


def test_the_duties_log_lists_seat_changes_and_refusals_in_the_admin(client):
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        factory.approve(minutes, by=cast.member)
    client.force_login(administrator())

    page = visible_text(client.get("/admin/meetings/dutylog/"))

    assert "إضافة مقعد" in page  # the seats factory.seat gave
    assert "لا يصادق على المحضر إلا رئيس المجلس ومقرره." in page
    assert cast.member.username in page
