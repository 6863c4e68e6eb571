"""Declarations of interest: a member who declares one on an agenda item stands aside from it; its quorum
and the votes on its resolutions are counted without them, wherever they are counted and shown."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from decisions.models import PublishedResolution, Resolution
from meetings.models import Attendance, Declaration, Quorum, Session
from meetings.models.record import session_record
from tests import factory
from tests import pdf as pdf_tools
from tests.members import admin_form
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

PRESENT = Attendance.Status.PRESENT
REPRESENTED = Attendance.Status.REPRESENTED


def five_present() -> tuple[Session, list]:
    """A session of a board of five voting members, all present: its quorum (more than half) is 3."""
    board = factory.board()
    session = factory.session(board)
    people = [factory.seat(board) for _ in range(5)]
    for person in people:
        factory.attend(session, person)
    factory.agenda_item(session, 1, title="الميزانية")
    return session, people


def declare(session: Session, who, position: int = 1, **fields) -> Declaration:
    item = session.agenda_items.get(position=position)
    declaration = Declaration(session=session, agenda_item=item, member=who, **fields)
    declaration.save()
    return declaration


def reloaded(session: Session) -> Session:
    return Session.objects.with_record().get(pk=session.pk)


def test_a_member_who_declared_is_not_counted_for_the_item_quorum():
    session, people = five_present()
    declare(session, people[0], reason="عضو في جمعية مستفيدة")

    session = reloaded(session)
    item = session.agenda_items.all()[0]
    assert session.quorum() == Quorum(voting_members=5, present=5, represented=0, required=3)
    assert item.quorum == Quorum(voting_members=5, present=4, represented=0, required=3, stood_aside=1)


def test_the_proxies_a_member_who_declared_holds_stand_aside_with_them():
    board = factory.board(max_proxies=2)
    session = factory.session(board)
    holder, first, second, other = (factory.seat(board) for _ in range(4))
    factory.attend(session, holder)
    factory.attend(session, other)
    factory.attend(session, first, status=REPRESENTED, proxy=holder)
    factory.attend(session, second, status=REPRESENTED, proxy=holder)
    factory.agenda_item(session, 1)
    declare(session, holder)

    item = reloaded(session).agenda_items.all()[0]
    assert (item.quorum.present, item.quorum.represented, item.quorum.stood_aside) == (1, 0, 3)
    assert not item.quorum.reached  # 1 of 4, 3 required


def test_votes_on_the_item_cannot_exceed_the_members_left_to_cast_them():
    session, people = five_present()
    declare(session, people[0])
    item = session.agenda_items.get()
    resolution = Resolution(
        session=session, agenda_item=item, title="قرار", text="نص", votes_for=5, votes_against=0
    )
    with pytest.raises(ValidationError) as caught:
        resolution.full_clean()
    assert "4" in " ".join(caught.value.messages)


def test_an_item_that_lost_its_quorum_through_declarations_cannot_adopt_a_resolution():
    session, people = five_present()
    for person in people[:3]:
        declare(session, person)
    item = session.agenda_items.get()
    resolution = Resolution(session=session, agenda_item=item, title="قرار", text="نص", votes_for=2)

    with pytest.raises(ValidationError) as caught:
        resolution.full_clean()
    assert "لا يمكن تسجيل القرار" in " ".join(caught.value.messages)
    # Nor from the shell, past the form.
    with pytest.raises(ValidationError), transaction.atomic():
        resolution.save()
    # Deferred, it stands.
    resolution.outcome = Resolution.Outcome.DEFERRED
    resolution.full_clean()
    resolution.save()


def test_a_declaration_that_would_leave_an_adopted_resolution_without_quorum_is_refused():
    session, people = five_present()
    declare(session, people[0])
    declare(session, people[1])
    factory.resolution(session, 1, agenda_item=session.agenda_items.get(), unanimous=True)

    with pytest.raises(ValidationError) as caught, transaction.atomic():
        declare(session, people[2])
    assert "2025/2/1" in " ".join(caught.value.messages)
    assert session.declarations.count() == 2


def test_the_database_refuses_two_declarations_of_one_member_on_one_item():
    session, people = five_present()
    declare(session, people[0])
    item = session.agenda_items.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.bulk_create([Declaration(session=session, agenda_item=item, member=people[0])])


def test_a_declaration_names_an_item_of_its_own_session_whoever_writes_it():
    session, people = five_present()
    other = factory.session(session.board, ordinal=3)
    elsewhere = factory.agenda_item(other, 1, title="برنامج العمل")
    stray = Declaration(session=session, agenda_item=elsewhere, member=people[0])
    with pytest.raises(ValidationError, match="نقطة جدول الأعمال هذه تابعة لدورة أخرى"):
        stray.save()
    # Past the model, the database refuses it too (meetings' migration 0039).
    with pytest.raises(IntegrityError, match="an agenda item of its own session"), transaction.atomic():
        Declaration.objects.bulk_create([stray])
    assert not Declaration.objects.exists()


def test_a_declaration_is_part_of_the_record_frozen_at_signature():
    session, people = five_present()
    factory.minutes_at(session, "signed")
    with pytest.raises(ValidationError):
        declare(session, people[0])
    # Past the model too: the database keeps the signed record (meetings' migration 0037).
    item = session.agenda_items.get()
    with pytest.raises(IntegrityError, match="the record"), transaction.atomic():
        Declaration.objects.bulk_create([Declaration(session=session, agenda_item=item, member=people[0])])


def test_the_record_keeps_the_declarations_and_the_item_quorum():
    session, people = five_present()
    declare(session, people[0], reason="قرابة")
    record = session_record(reloaded(session))
    item = record["agenda"][0]
    assert [d["member"]["name_ar"] for d in item["declarations"]] == [people[0].name_ar]
    assert item["declarations"][0]["reason"] == "قرابة"
    assert (item["quorum"]["present"], item["quorum"]["stood_aside"], item["quorum"]["reached"]) == (
        4,
        1,
        True,
    )
    assert "stood_aside" not in record["quorum"]  # the session's own quorum keeps its shape


def test_an_item_without_declarations_keeps_the_shape_of_its_record():
    session, _people = five_present()
    assert set(session_record(reloaded(session))["agenda"][0]) == {
        "position",
        "title",
        "presenter",
        "summary",
        "deliberation",
    }


def test_the_declaration_is_said_in_the_minutes_pdf():
    session, people = five_present()
    declare(session, people[0])
    factory.resolution(session, 1, agenda_item=session.agenda_items.get(), unanimous=True)
    text = pdf_tools.normalized(pdf_tools.text(factory.draft_pdf(session)))
    for said in [
        f"وقد صرح السيد {people[0].name_ar} بوجود تضارب في المصالح بخصوص هذه النقطة",
        "ولم يحتسب في نصابها",
        "وبذلك حضر أو مثل بالنسبة لهذه النقطة 4 من أصل 5",
        "لم يشارك في التصويت",
        "ولا يجوز للعضو الحاضر أن يحمل أكثر من وكالة واحدة",
    ]:
        assert pdf_tools.normalized(said) in text


def test_the_published_page_the_register_and_the_exports_say_who_stood_aside(client):
    session, people = five_present()
    declare(session, people[0], reason="قرابة")
    factory.resolution(session, 1, agenda_item=session.agenda_items.get(), unanimous=True)
    factory.publish(session)  # seats a president and a rapporteur, present: 7 voting members, 4 required

    page = visible_text(client.get(session.get_absolute_url()))
    assert f"صرح {people[0].name_ar} بتضارب في المصالح بخصوص هذه النقطة وانسحب منها" in page
    assert (
        "النصاب بالنسبة لهذه النقطة: حضر أو مثل 4 من أصل 7 من الأعضاء ذوي الحق في التصويت، والمطلوب 4."
        in page
    )
    assert f"لم يشارك في التصويت لتصريح بتضارب في المصالح: {people[0].name_ar}" in page

    published = PublishedResolution.objects.get()
    assert published.stood_aside == [
        {"name_ar": people[0].name_ar, "name_fr": people[0].name_fr, "reason": "قرابة"}
    ]
    detail = client.get(published.get_absolute_url()).content.decode()
    assert people[0].name_ar in detail
    exported = json.loads(client.get("/resolutions.json").getvalue())
    assert exported[0]["stood_aside"][0]["name_ar"] == people[0].name_ar
    csv_text = b"".join(client.get("/resolutions.csv").streaming_content).decode()
    assert people[0].name_ar in csv_text


# The secretariat's session page


def test_the_secretariat_records_a_declaration_during_the_session_and_who_recorded_it(client):
    session, people = five_present()
    secretary = factory.secretariat_user()
    client.force_login(secretary)
    url = f"/admin/meetings/session/{session.pk}/change/"
    form = admin_form(client, url, "session_form")
    form.update(
        {
            "declarations-TOTAL_FORMS": "1",
            "declarations-0-agenda_item": "1",
            "declarations-0-member": str(people[0].pk),
            "declarations-0-reason": "قرابة",
        }
    )

    response = client.post(url, form)

    assert response.status_code == 302
    declaration = Declaration.objects.get()
    assert (declaration.member, declaration.source, declaration.recorded_by) == (
        people[0],
        "secretariat",
        secretary,
    )
    page = client.get(url).content.decode()
    assert secretary.username in page  # who recorded it, on the page


def test_the_session_page_refuses_adopting_what_the_declarations_beside_it_leave_without_quorum(client):
    session, people = five_present()
    client.force_login(factory.secretariat_user())
    url = f"/admin/meetings/session/{session.pk}/change/"
    form = admin_form(client, url, "session_form")
    form.update({"declarations-TOTAL_FORMS": "3"})
    for n, person in enumerate(people[:3]):
        form.update({f"declarations-{n}-agenda_item": "1", f"declarations-{n}-member": str(person.pk)})
    form.update(
        {
            "resolutions-TOTAL_FORMS": "1",
            "resolutions-0-agenda_item": "1",
            "resolutions-0-title": "قرار",
            "resolutions-0-text": "يقرر المجلس ما يلي.",
            "resolutions-0-unanimous": "on",
            "resolutions-0-outcome": "adopted",
        }
    )

    response = client.post(url, form)

    assert response.status_code == 200
    assert "لا يمكن تسجيل القرار بصفته مصادقا عليه" in visible_text(response)
    assert (
        not Declaration.objects.exists() and not Resolution.objects.exists()
    )  # nothing lost: nothing half-saved

    form["resolutions-0-outcome"] = "deferred"
    assert client.post(url, form).status_code == 302
    assert Declaration.objects.count() == 3 and Resolution.objects.get().outcome == "deferred"
