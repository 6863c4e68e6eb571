"""The minutes' texts drafted from the record in the set phrases, in Arabic and French: every figure from
the record, «[…]» where only the secretariat knows what was said, nothing written over its own text."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from meetings.minutes import drafting
from meetings.models import Attendance, Declaration, Membership, Session
from tests import factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session() -> Session:
    """A board of five voting members chaired by a woman: four present, one represented; two items, the
    first adopted unanimously, the second by a divided vote, on which one member declared an interest."""
    board = factory.board(
        name_ar="المجلس الإداري لمؤسسة التعاون الوطني",
        name_fr="Conseil d’administration de l’Entraide Nationale",
    )
    chair = factory.seat(
        board,
        role=Membership.Role.PRESIDENT,
        gender="female",
        title_ar="وزيرة التضامن",
        title_fr="ministre de la Solidarité",
    )
    others = [factory.seat(board) for _ in range(4)]
    session = factory.session(
        board,
        date=datetime.date(2025, 12, 18),
        ordinal=2,
        place="الرباط",
        place_fr="Rabat",
        chair=chair,
        start_time=datetime.time(10, 0),
    )
    for person in [chair, *others[:3]]:
        factory.attend(session, person)
    factory.attend(session, others[3], status=Attendance.Status.REPRESENTED, proxy=others[0])
    plan = factory.agenda_item(
        session,
        1,
        title="مخطط عمل 2026",
        title_fr="Plan d’action 2026",
        presenter="المدير العام",
        deliberation="",
    )
    budget = factory.agenda_item(session, 2, title="ميزانية 2026", deliberation="")
    Declaration(session=session, agenda_item=budget, member=others[1]).save()
    factory.resolution(
        session,
        1,
        agenda_item=plan,
        title="المصادقة على مخطط العمل",
        title_fr="Approbation du plan d’action",
        unanimous=True,
    )
    factory.resolution(
        session,
        2,
        agenda_item=budget,
        title="المصادقة على الميزانية",
        unanimous=False,
        votes_for=3,
        votes_against=0,
        votes_abstain=1,
    )
    return Session.objects.with_record().get(pk=session.pk)


def test_the_opening_says_who_opened_the_session_and_when_leaving_what_was_said(session):
    drafted = drafting.draft(session)
    chair = session.chair
    assert drafted.opening == (
        f"افتتحت السيدة {chair.name_ar}، وزيرة التضامن، الجلسة على الساعة 10:00 […]، ثم عرضت جدول الأعمال."
    )
    assert drafted.opening_fr == (
        f"Mme {chair.name_fr}, ministre de la Solidarité, a ouvert la séance à 10\u00a0h\u00a000 […], puis a "
        "présenté l’ordre du jour."
    )


def test_an_item_s_deliberation_says_who_presented_it_and_what_the_board_decided(session):
    arabic, french = drafting.draft(session).deliberations[1]
    assert arabic == (
        "في إطار النقطة الأولى من جدول الأعمال، المتعلقة بـ«مخطط عمل 2026»، قدم المدير العام عرضا […].\n\n"
        "وبعد المناقشة، صادق المجلس بالإجماع على القرار رقم 2025/2/1 المتعلق بـ«المصادقة على مخطط العمل»."
    )
    assert french == (
        "Au titre du point n°\u00a01 de l’ordre du jour, «\u202fPlan d’action 2026\u202f», المدير العام a présenté […]."
        "\n\nÀ l’issue des débats, le conseil a adopté à l’unanimité la résolution n°\u00a02025/2/1, "
        "«\u202fApprobation du plan d’action\u202f»."
    )


def test_a_divided_vote_is_said_with_its_figures_and_the_declarations_left_to_the_minutes(session):
    arabic, french = drafting.draft(session).deliberations[2]
    assert arabic == (
        "في إطار النقطة الثانية من جدول الأعمال، المتعلقة بـ«ميزانية 2026»، تدارس المجلس […].\n\n"
        "وبعد المناقشة، صادق المجلس بأغلبية الأصوات (مؤيدون: 3، معارضون: 0، ممتنعون: 1) على القرار رقم "
        "2025/2/2 المتعلق بـ«المصادقة على الميزانية»."
    )
    assert "(pour\u202f: 3, contre\u202f: 0, abstentions\u202f: 1)" in french
    # The declaration and the item's quorum: the minutes write them from the record, above this text.
    assert "تضارب" not in arabic


def test_the_drafts_fill_the_empty_texts_only(session):
    session.opening_fr = "Texte écrit par le secrétariat."
    Session.objects.filter(pk=session.pk).update(opening_fr=session.opening_fr)

    filled = drafting.fill_from_record(session)

    session.refresh_from_db()
    assert session.opening.startswith("افتتحت السيدة")
    assert session.opening_fr == "Texte écrit par le secrétariat."
    items = {item.position: item for item in session.agenda_items.all()}
    assert items[1].deliberation.startswith("في إطار النقطة الأولى")
    assert items[2].deliberation_fr.startswith("Au titre du point n°\u00a02")
    assert len(filled) == 3  # the opening, and the two items
    assert drafting.fill_from_record(session) == []  # nothing left empty: nothing written over


def test_nothing_is_drafted_into_a_signed_record(session):
    factory.minutes_at(session, "signed")
    with pytest.raises(ValidationError):
        drafting.fill_from_record(session)


def test_the_secretariat_drafts_from_the_session_page(client, session):
    client.force_login(factory.secretariat_user())
    page = client.get(f"/admin/meetings/session/{session.pk}/change/").content.decode()
    assert f'action="/admin/meetings/session/{session.pk}/draft-texts/"' in page

    response = client.post(f"/admin/meetings/session/{session.pk}/draft-texts/", follow=True)

    assert "صيغت من المعطيات" in response.content.decode()
    session.refresh_from_db()
    assert session.opening.startswith("افتتحت")
    assert client.get(f"/admin/meetings/session/{session.pk}/draft-texts/").status_code == 404
