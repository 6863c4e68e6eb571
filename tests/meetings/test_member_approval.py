"""The president and the rapporteur approve the minutes in review from the member pages; a plain member
cannot, and approving twice does no harm.
"""

import pytest

from meetings.models import Approval, Comment, Minutes
from tests import factory
from tests.members import (
    APPROVAL_RECORDED,
    APPROVE_BUTTON,
    DELIBERATION,
    DRAFT_BADGE,
    NOT_WHILE_APPROVED,
    RESOLUTION,
    cast,
    confirmed,
    page,
    signed_in,
)
from tests.pages import visible_text

pytestmark = pytest.mark.django_db


# Approving


@pytest.mark.parametrize("who", ["president", "rapporteur"])
def test_the_president_and_the_rapporteur_are_offered_the_approval(who):
    people = cast()

    response = signed_in(getattr(people, who)).get(page(people.session))

    assert APPROVE_BUTTON in visible_text(response)
    assert f'action="{page(people.session)}approve/"' in response.content.decode()


def test_the_minutes_are_approved_once_the_president_and_then_the_rapporteur_approve():
    people = cast()

    first = signed_in(people.president).post(
        f"{page(people.session)}approve/", confirmed(people.president), follow=True
    )
    people.minutes.refresh_from_db()
    state_after_first = people.minutes.state
    second = signed_in(people.rapporteur).post(
        f"{page(people.session)}approve/", confirmed(people.rapporteur), follow=True
    )

    assert APPROVAL_RECORDED in visible_text(first)
    assert "صادق عليه نعيمة بن يحيى (الرئيس)" in visible_text(first)
    assert state_after_first == Minutes.State.IN_REVIEW
    assert APPROVAL_RECORDED in visible_text(second)
    people.minutes.refresh_from_db()
    assert people.minutes.state == Minutes.State.APPROVED
    text = visible_text(second)
    assert "المحضر، الصيغة 1: مصادق عليه" in text
    assert "صادق عليه خطار المجاهدي (المقرر)" in text
    assert APPROVE_BUTTON not in text and DRAFT_BADGE not in text


def test_a_plain_member_is_not_offered_the_approval_and_a_crafted_one_is_forbidden():
    people = cast()
    client = signed_in(people.member)

    shown = client.get(page(people.session))
    crafted = client.post(f"{page(people.session)}approve/")

    assert APPROVE_BUTTON not in visible_text(shown)
    assert "/approve/" not in shown.content.decode()
    assert crafted.status_code == 403
    assert not Approval.objects.exists()
    people.minutes.refresh_from_db()
    assert people.minutes.state == Minutes.State.IN_REVIEW


def test_approving_twice_is_harmless():
    people = cast()
    president = signed_in(people.president)
    approve = f"{page(people.session)}approve/"

    president.post(approve, confirmed(people.president))
    again = president.post(approve, confirmed(people.president), follow=True)  # a double click

    # Back on the session's page (no error page), with one approval on record.
    assert again.redirect_chain == [(page(people.session), 302)]
    assert "الدورة الثانية برسم سنة 2025" in visible_text(again)
    people.minutes.refresh_from_db()
    assert (people.minutes.state, people.minutes.approvals.count()) == ("in_review", 1)

    signed_in(people.rapporteur).post(approve, confirmed(people.rapporteur))
    once_more = president.post(approve, confirmed(people.president), follow=True)

    assert once_more.status_code == 200
    assert NOT_WHILE_APPROVED in visible_text(once_more)
    people.minutes.refresh_from_db()
    assert (people.minutes.state, people.minutes.approvals.count()) == ("approved", 2)


def test_an_approval_waits_for_its_confirmation_given_after_the_whole_record():
    people = cast()
    president = signed_in(people.president)
    html = president.get(page(people.session)).content.decode()
    assert html.index(DELIBERATION) < html.index(RESOLUTION) < html.index('id="confirm-approval"')
    assert "وأصادق على الصيغة 1 من محضر «الدورة الثانية برسم سنة 2025»، بصفتي الرئيس." in visible_text(
        president.get(page(people.session))
    )

    refused = president.post(f"{page(people.session)}approve/", follow=True)

    assert "أكّدوا أولا أنكم قرأتم السجل كاملا قبل المصادقة عليه." in visible_text(refused)
    assert not people.minutes.approvals.exists()


def test_the_approvers_read_every_comment_and_its_answer(client):
    people = cast()
    Comment.objects.create(
        minutes=people.minutes, member=people.member.member, text="ملاحظة العضو", reply="جواب الكتابة"
    )
    president_reads = visible_text(signed_in(people.president).get(page(people.session)))
    assert "ملاحظة العضو" in president_reads and "جواب الكتابة" in president_reads
    assert "ملاحظة العضو" in visible_text(signed_in(people.member).get(page(people.session)))
    other = factory.seat(people.session.board)
    assert "ملاحظة العضو" not in visible_text(signed_in(factory.user_for(other)).get(page(people.session)))
