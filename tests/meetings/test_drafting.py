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


def test_the_arabic_opening_says_the_session_its_chair_its_quorum_and_its_agenda(session):
    opening = drafting.draft(session).opening
    assert opening.startswith(
        "انعقدت الدورة الثانية للمجلس الإداري لمؤسسة التعاون الوطني برسم سنة 2025 يوم الخميس 18 دجنبر 2025 "
        "على الساعة 10:00 بالرباط، تحت رئاسة السيدة "
    )
    assert "، وزيرة التضامن." in opening
    assert (
        "وبعد التأكد من اكتمال النصاب القانوني، إذ حضر أو مثل 5 من أصل 5 من الأعضاء ذوي الحق في التصويت (منهم 1 بالنيابة) والنصاب المطلوب 3،"
        in opening
    )
    assert "افتتح السيدة الرئيسة الجلسة […]" in opening
    assert opening.endswith("1. مخطط عمل 2026\n2. ميزانية 2026")


def test_the_french_opening_says_the_same_in_french(session):
    opening = drafting.draft(session).opening_fr
    assert opening.startswith(
        "Le Conseil d’administration de l’Entraide Nationale s’est réuni en sa deuxième session ordinaire de "
        "l’année 2025, le jeudi 18 décembre 2025 à 10\u00a0h\u00a000, à Rabat, sous la présidence de Mme "
    )
    assert (
        "Le quorum étant atteint (5 des 5 membres ayant voix délibérative présents ou représentés (dont 1 par procuration), 3 requis), la présidente a ouvert la séance […]"
        in opening
    )
    assert opening.endswith("1. Plan d’action 2026\n2. ميزانية 2026")


def test_an_item_s_deliberation_says_who_presented_it_and_what_the_board_decided(session):
    arabic, french = drafting.draft(session).deliberations[1]
    assert arabic == (
        "في إطار النقطة الأولى من جدول الأعمال، المتعلقة بـ«مخطط عمل 2026»، قدم المدير العام عرضا […].\n\n"
        "وبعد المناقشة، صادق المجلس بالإجماع على القرار رقم 2025/2/1 المتعلق بـ«المصادقة على مخطط العمل»."
    )
    assert (
        "le conseil a adopté à l’unanimité la résolution n°\u00a02025/2/1, «\u202fApprobation du plan d’action\u202f»."
        in french
    )


def test_a_divided_vote_and_a_declaration_are_said_with_their_figures(session):
    arabic, french = drafting.draft(session).deliberations[2]
    assert "بوجود تضارب في المصالح بخصوص هذه النقطة، فانسحب من مداولتها" in arabic
    # The declarant stands aside: 4 of 5 counted.
    assert (
        "وبذلك حضر أو مثل بالنسبة لهذه النقطة 4 من أصل 5 من الأعضاء ذوي الحق في التصويت، والنصاب المطلوب 3، فاكتمل النصاب القانوني للتداول فيها."
        in arabic
    )
    assert "صادق المجلس بأغلبية الأصوات (مؤيدون: 3، معارضون: 0، ممتنعون: 1) على القرار رقم 2025/2/2" in arabic
    assert "a déclaré un conflit d’intérêts sur ce point" in french
    assert "(pour\u202f: 3, contre\u202f: 0, abstentions\u202f: 1)" in french


def test_the_drafts_fill_the_empty_texts_only(session):
    session.opening_fr = "Texte écrit par le secrétariat."
    Session.objects.filter(pk=session.pk).update(opening_fr=session.opening_fr)

    filled = drafting.fill_from_record(session)

    session.refresh_from_db()
    assert session.opening.startswith("انعقدت الدورة الثانية")
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
    assert session.opening.startswith("انعقدت")
    assert client.get(f"/admin/meetings/session/{session.pk}/draft-texts/").status_code == 404
