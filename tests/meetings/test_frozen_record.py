"""Once its minutes are signed, a session's record is frozen: at the model layer (save, delete, full_clean)
and in the admin; a corrected version of the minutes opens it again."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from decisions.models import FollowUp, Resolution
from meetings.minutes import lifecycle
from meetings.models import AgendaItem, Attendance, Minutes, Session
from tests import factory
from tests.actors import actors
from tests.lifecycle_messages import FROZEN

State = Minutes.State

FOLLOW_UP_NOTE = "انطلقت أشغال التأهيل."


@pytest.fixture(scope="module")
def signed(module_db) -> dict:
    """One signed session for the whole module (signing takes a second): the 18 دجنبر 2025 session with
    its attendance, agenda item, resolution and the follow-up of a June resolution; a later session, not
    signed. Each test runs in a transaction of its own inside the module's, which undoes what it changed."""
    cast = actors(home=False)  # the home board is left to the tests that make their own actors
    june = factory.session(cast.session.board, datetime.date(2025, 6, 20), 1)
    followed, not_followed = factory.resolution(june, 1), factory.resolution(june, 2)
    follow_up = factory.follow_up(followed, cast.session, note=FOLLOW_UP_NOTE)
    later = factory.session(cast.session.board, datetime.date(2026, 6, 18), 1)
    minutes = cast.minutes(State.SIGNED)
    return {
        "cast": cast,
        "minutes": minutes.pk,
        "session": cast.session.pk,
        "attendance": cast.session.attendances.get(member=cast.member.member).pk,
        "agenda item": cast.item.pk,
        "resolution": cast.resolution.pk,
        "follow-up": follow_up.pk,
        "not followed": not_followed.pk,
        "later": later.pk,
    }


@pytest.fixture
def published(signed) -> dict:
    """The module's signed session with its minutes published, in the test's own transaction (which
    undoes it)."""
    lifecycle.publish(Minutes.objects.get(pk=signed["minutes"]), by=signed["cast"].secretary)
    return signed


MODELS = {
    "session": Session,
    "attendance": Attendance,
    "agenda item": AgendaItem,
    "resolution": Resolution,
    "follow-up": FollowUp,
}
KINDS = list(MODELS)

# One change per kind of row: the field, and the value the secretariat would type.
CHANGES = {
    "session": ("place", "مقر المؤسسة، الرباط"),
    "attendance": ("status", Attendance.Status.EXCUSED),
    "agenda item": ("title", "مشروع مخطط العمل المعدل"),
    "resolution": ("text", "يقرر المجلس المصادقة مع تعديل."),
    "follow-up": ("note", "تم إنجاز الأشغال."),
}


def row(signed, kind: str):
    return MODELS[kind].objects.get(pk=signed[kind])


def new_row(signed, kind: str):
    session = Session.objects.get(pk=signed["session"])
    if kind == "attendance":
        newcomer = factory.seat(session.board)
        return Attendance(session=session, member=newcomer)
    if kind == "agenda item":
        return AgendaItem(session=session, position=2, title="نقطة مضافة")
    if kind == "resolution":
        return Resolution(session=session, sequence=2, title="قرار مضاف", text="يقرر المجلس.")
    return FollowUp(resolution_id=signed["not followed"], session=session)


# The model layer


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_saving_a_row_of_a_signed_record_is_refused(signed, kind):
    changed = row(signed, kind)
    field, value = CHANGES[kind]
    before = getattr(changed, field)
    setattr(changed, field, value)

    with pytest.raises(ValidationError) as refusal:
        changed.save()

    assert refusal.value.messages == [FROZEN]
    assert getattr(row(signed, kind), field) == before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_deleting_a_row_of_a_signed_record_is_refused(signed, kind):
    with pytest.raises(ValidationError) as refusal:
        row(signed, kind).delete()

    assert refusal.value.messages == [FROZEN]
    assert MODELS[kind].objects.filter(pk=signed[kind]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["attendance", "agenda item", "resolution", "follow-up"])
def test_adding_a_row_to_a_signed_record_is_refused(signed, kind):
    count = MODELS[kind].objects.count()

    with pytest.raises(ValidationError) as refusal:
        new_row(signed, kind).save()

    assert refusal.value.messages == [FROZEN]
    assert MODELS[kind].objects.count() == count


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_full_clean_reports_that_the_record_is_signed(signed, kind):
    with pytest.raises(ValidationError) as refusal:
        row(signed, kind).full_clean()

    assert FROZEN in refusal.value.messages


@pytest.mark.django_db
def test_the_signed_minutes_are_unchanged_by_a_refused_change(signed):
    item = row(signed, "agenda item")
    item.title = "مشروع مخطط العمل المعدل"

    with pytest.raises(ValidationError):
        item.save()

    minutes = Minutes.objects.get(pk=signed["minutes"])
    assert minutes.state == State.SIGNED
    assert minutes.session.is_frozen


@pytest.mark.django_db
def test_a_later_session_still_follows_up_a_resolution_of_a_signed_session(signed):
    later = Session.objects.get(pk=signed["later"])

    follow_up = factory.follow_up(row(signed, "resolution"), later, note="في طور الإنجاز.")

    assert follow_up.pk is not None


@pytest.mark.django_db
def test_published_minutes_keep_the_record_frozen(published):
    item = AgendaItem.objects.get(pk=published["agenda item"])
    item.title = "مشروع مخطط العمل المعدل"

    with pytest.raises(ValidationError) as refusal:
        item.save()

    assert refusal.value.messages == [FROZEN]


# The database (PostgreSQL): what goes past the models is refused too

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The triggers that keep a signed record are PostgreSQL's (meetings' migration 0006); SQLite, "
    "for development and the demo, relies on the models. They run in bash .ci/run.",
)


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_the_database_refuses_a_queryset_update_of_a_signed_record(signed, kind):
    field, value = CHANGES[kind]
    before = getattr(row(signed, kind), field)

    with pytest.raises(IntegrityError, match="signed"), transaction.atomic():
        MODELS[kind].objects.filter(pk=signed[kind]).update(**{field: value})

    assert getattr(row(signed, kind), field) == before


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["attendance", "agenda item", "resolution", "follow-up"])
def test_the_database_refuses_a_queryset_delete_or_a_bulk_insert_in_a_signed_record(signed, kind):
    with pytest.raises(IntegrityError, match="signed"), transaction.atomic():
        MODELS[kind]._base_manager.filter(pk=signed[kind])._raw_delete(connection.alias)
    with pytest.raises(IntegrityError, match="signed"), transaction.atomic():
        MODELS[kind].objects.bulk_create([new_row(signed, kind)])

    assert MODELS[kind].objects.filter(pk=signed[kind]).exists()


@postgresql_only
@pytest.mark.django_db
def test_the_database_keeps_the_signed_file_of_the_minutes(signed):
    minutes = Minutes.objects.filter(pk=signed["minutes"])
    kept = minutes.get()

    for change in ({"sha256": "0" * 64}, {"pdf": "minutes/signed/other.pdf"}, {"state": State.DRAFT}):
        with pytest.raises(IntegrityError, match="keep their signed file"), transaction.atomic():
            minutes.update(**change)
    with pytest.raises(IntegrityError, match="keep their signed file"), transaction.atomic():
        minutes._raw_delete(connection.alias)

    assert (minutes.get().sha256, minutes.get().pdf, minutes.get().state) == (
        kept.sha256,
        kept.pdf,
        kept.state,
    )
    minutes.update(state=State.PUBLISHED)  # publication is the one move left
    assert minutes.get().state == State.PUBLISHED


@postgresql_only
@pytest.mark.django_db
def test_the_database_lets_a_later_session_and_an_unsigned_record_change(signed):
    Session.objects.filter(pk=signed["later"]).update(place="مقر المؤسسة، الرباط")
    FollowUp.objects.bulk_create(
        [FollowUp(resolution_id=signed["resolution"], session_id=signed["later"], note="في طور الإنجاز.")]
    )

    assert Session.objects.get(pk=signed["later"]).place == "مقر المؤسسة، الرباط"


@postgresql_only
@pytest.mark.django_db
def test_a_data_migration_may_rewrite_a_derived_column_of_a_signed_record(signed):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL entraide.unfreeze_record = 'on'")
        Resolution.objects.filter(pk=signed["resolution"]).update(search_text="مصادقه")

    assert row(signed, "resolution").search_text == "مصادقه"
    with (
        connection.cursor() as cursor
    ):  # (the test's transaction is still open: SET LOCAL lasts until its end)
        cursor.execute("SET LOCAL entraide.unfreeze_record = 'off'")
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.filter(pk=signed["resolution"]).update(search_text="")


# The admin


def session_page(signed) -> str:
    return f"/admin/meetings/session/{signed['session']}/change/"


@pytest.mark.django_db
def test_the_signed_sessions_admin_page_has_no_save_button(client, signed):
    client.force_login(signed["cast"].secretary)

    response = client.get(session_page(signed))

    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert FROZEN in response.content.decode()


# An editable field of each inline of the session's page, and a text it shows.
INLINE_FIELDS = {
    "attendance": ("attendances-0-status", "عبد الجبار الرشيدي"),
    "agenda": ("agenda_items-0-title", "مشروع مخطط عمل المؤسسة برسم سنة 2026"),
    "resolutions": ("resolutions-0-title", "المصادقة على مخطط العمل"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("inline", list(INLINE_FIELDS))
def test_the_signed_sessions_inlines_are_shown_but_cannot_be_edited(client, signed, inline):
    client.force_login(signed["cast"].secretary)
    field, shown = INLINE_FIELDS[inline]

    html = client.get(session_page(signed)).content.decode()

    assert shown in html
    assert f'name="{field}"' not in html
    assert f'name="{field.rsplit("-", 1)[0]}-DELETE"' not in html


@pytest.mark.django_db
def test_before_signature_the_sessions_admin_page_edits_the_record(client):
    cast = actors(home=False)  # the module's signed session is on the home board
    june = factory.session(cast.session.board, datetime.date(2025, 6, 20), 1)
    factory.follow_up(factory.resolution(june), cast.session, note=FOLLOW_UP_NOTE)
    cast.minutes(State.APPROVED)
    client.force_login(cast.secretary)

    html = client.get(f"/admin/meetings/session/{cast.session.pk}/change/").content.decode()

    assert 'name="_save"' in html
    for field, _shown in INLINE_FIELDS.values():
        assert f'name="{field}"' in html


@pytest.mark.django_db
def test_a_post_to_the_signed_sessions_admin_page_is_refused(client, signed):
    client.force_login(signed["cast"].secretary)

    response = client.post(session_page(signed), {"place": "مقر المؤسسة، الرباط"})

    assert response.status_code == 403
    assert row(signed, "session").place == "الرباط"


@pytest.mark.django_db
def test_the_resolutions_own_admin_page_refuses_to_change_a_signed_resolution(client, signed):
    client.force_login(signed["cast"].secretary)
    resolution = row(signed, "resolution")

    response = client.post(
        f"/admin/decisions/resolution/{resolution.pk}/change/",
        {
            "session": resolution.session_id,
            "sequence": 1,
            "title": "عنوان معدل",
            "text": resolution.text,
            "outcome": resolution.outcome,
        },
    )

    assert response.status_code == 403
    assert row(signed, "resolution").title == "المصادقة على مخطط العمل"


@pytest.mark.django_db
def test_the_resolutions_own_admin_page_refuses_to_delete_a_signed_resolution(client, signed):
    client.force_login(signed["cast"].secretary)

    response = client.post(f"/admin/decisions/resolution/{signed['resolution']}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Resolution.objects.filter(pk=signed["resolution"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "changelist"), [("resolution", "resolution"), ("follow-up", "followup")])
def test_deleting_signed_rows_from_a_changelist_is_refused(client, signed, kind, changelist):
    client.force_login(signed["cast"].secretary)

    response = client.post(
        f"/admin/decisions/{changelist}/",
        {"action": "delete_selected", "_selected_action": [signed[kind]], "post": "yes"},
    )

    assert response.status_code == 403
    assert MODELS[kind].objects.filter(pk=signed[kind]).exists()


# A corrected version


@pytest.mark.django_db
def test_a_corrected_version_opens_the_record_again(signed):
    cast, item = signed["cast"], row(signed, "agenda item")

    lifecycle.start_version(cast.session, by=cast.secretary, reason="خطأ مادي في عنوان نقطة")
    item.title = "مشروع مخطط العمل المصحح"
    item.save()

    item.refresh_from_db()
    assert item.title == "مشروع مخطط العمل المصحح"
    assert not row(signed, "session").is_frozen


@pytest.mark.django_db
def test_a_signed_version_is_not_superseded_by_a_correction_still_in_draft(published):
    cast, first = published["cast"], Minutes.objects.get(pk=published["minutes"])

    lifecycle.start_version(cast.session, by=cast.secretary, reason="خطأ مادي في عنوان نقطة")

    assert first.superseded_by() is None


@pytest.mark.django_db
def test_a_signed_version_is_superseded_by_the_correction_once_it_is_signed(published):
    cast, first = published["cast"], Minutes.objects.get(pk=published["minutes"])

    correction = factory.minutes_at(
        cast.session, State.SIGNED, by=cast.secretary, reason="خطأ مادي في عنوان نقطة"
    )

    assert first.superseded_by() == correction
    first.refresh_from_db()
    assert first.state == State.PUBLISHED  # kept as it was, for the record
