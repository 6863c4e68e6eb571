"""The secretariat's admin: recording a session with its attendance, agenda and resolutions in one page."""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.urls import reverse

from decisions import secretariat
from decisions.models import Resolution
from meetings.models import Attendance, Membership, Session
from tests import factory
from tests.members import read_form
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/meetings/session/add/"
CHANGELIST_URL = "/admin/meetings/session/"


def signed_in_secretariat(client) -> User:
    user = factory.secretariat_user()
    client.force_login(user)
    return user


def inline_prefixes(html: str) -> list[str]:
    """The prefixes of the inline formsets on an admin page, as its management forms name them."""
    return re.findall(r'name="([\w-]+)-TOTAL_FORMS"', html)


def session_form(client, session: dict, inlines: dict[str, list[dict]]) -> dict:
    """The POST data of the session add page: the session's fields, then each inline's rows.

    The prefixes are read from the page itself; an inline given no rows is submitted empty.
    """
    prefixes = inline_prefixes(client.get(ADD_URL).content.decode())
    assert set(inlines) <= set(prefixes), f"unknown inline prefixes: {set(inlines) - set(prefixes)}"
    data = {"_save": "Save", **session}
    for prefix in prefixes:
        rows = inlines.get(prefix, [])
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for n, row in enumerate(rows):
            data.update({f"{prefix}-{n}-{field}": value for field, value in row.items()})
    return data


def session_fields(board, chair=None, **fields) -> dict:
    defaults = {
        "board": str(board.pk),
        "ordinal": "2",
        "kind": Session.Kind.ORDINARY,
        "date": "2025-12-18",
        "start_time": "15:00",
        "end_time": "18:00",
        "place": "مقر الوزارة، الرباط",
        "chair": str(chair.pk) if chair else "",
        "opening": "تلاوة سورة الفاتحة.",
        "is_public": "on",
    }
    return {**defaults, **fields}


def attendance_row(who, status=Attendance.Status.PRESENT, proxy=None) -> dict:
    return {"member": str(who.pk), "status": status, "proxy": str(proxy.pk) if proxy else ""}


def resolution_row(sequence=1, **fields) -> dict:
    defaults = {
        "sequence": str(sequence),
        "title": "المصادقة على مخطط العمل",
        "text": "صادق المجلس على مخطط العمل.",
        "outcome": Resolution.Outcome.ADOPTED,
    }
    return {**defaults, **fields}


def board_of(voters: int):
    """A home board with a president and `voters - 1` other voting members."""
    board = factory.board()
    president = factory.seat(board, Membership.Role.PRESIDENT)
    return board, [president, *(factory.seat(board) for _ in range(voters - 1))]


# Opening the admin


def test_the_secretariat_opens_the_admin_index(client):
    signed_in_secretariat(client)

    response = client.get("/admin/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "الدورات والمحاضر والقرارات" in text
    assert 'href="/admin/meetings/session/"' in text


def test_the_secretariat_opens_the_session_changelist(client):
    signed_in_secretariat(client)
    factory.session(factory.board())

    response = client.get(CHANGELIST_URL)

    assert response.status_code == 200
    assert "الدورة الثانية برسم سنة 2025" in response.content.decode()


def test_the_admin_writes_dates_with_maghreb_month_names(client):
    signed_in_secretariat(client)
    factory.session(factory.board(), date=datetime.date(2025, 12, 18))

    text = client.get(CHANGELIST_URL).content.decode()

    assert "18 دجنبر 2025" in text  # the date column
    assert "دجنبر 2025" in text  # the date hierarchy
    assert "ديسمبر" not in text


OLD, NEW = "الدورة الاستثنائية الأولى برسم سنة 2024", "الدورة الثانية برسم سنة 2025"


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("year=2024", OLD, NEW),
        ("kind__exact=extraordinary", OLD, NEW),
        ("is_public__exact=0", OLD, NEW),
        ("q=الميزانية", NEW, OLD),
    ],
    ids=["year", "kind", "public", "search"],
)
def test_the_session_changelist_filters_and_searches(client, query, shown, hidden):
    signed_in_secretariat(client)
    board = factory.board()
    factory.session(board, datetime.date(2024, 6, 20), 1, kind=Session.Kind.EXTRAORDINARY, is_public=False)
    factory.agenda_item(factory.session(board), title="مشروع الميزانية")

    response = client.get(f"{CHANGELIST_URL}?{query}")

    assert response.status_code == 200
    text = response.content.decode()
    assert shown in text
    assert hidden not in text


# One submit: the session, its attendance, its agenda and its resolutions


def test_the_secretariat_adds_a_session_with_attendance_agenda_and_resolution_in_one_submit(client):
    signed_in_secretariat(client)
    board, (president, member, absent) = board_of(3)
    data = session_form(
        client,
        session_fields(board, chair=president),
        {
            "attendances": [
                attendance_row(president),
                attendance_row(member),
                attendance_row(absent, Attendance.Status.REPRESENTED, proxy=member),
            ],
            "agenda_items": [
                {"position": "1", "title": "مشروع مخطط العمل", "deliberation": "ناقش المجلس المخطط."}
            ],
            "resolutions": [resolution_row(unanimous="on")],
        },
    )

    response = client.post(ADD_URL, data)

    assert response.status_code == 302
    session = Session.objects.get(board=board, year=2025, ordinal=2)
    assert session.chair == president
    assert session.place == "مقر الوزارة، الرباط"
    assert [(a.member, a.status, a.proxy) for a in session.attendances.all()] == [
        (president, Attendance.Status.PRESENT, None),
        (member, Attendance.Status.PRESENT, None),
        (absent, Attendance.Status.REPRESENTED, member),
    ]
    assert list(session.agenda_items.values_list("position", "title")) == [(1, "مشروع مخطط العمل")]
    resolution = session.resolutions.get()
    assert (resolution.number, resolution.unanimous) == ("2025/2/1", True)


def test_votes_above_the_members_present_or_represented_in_the_same_submit_are_refused(client):
    signed_in_secretariat(client)
    board, (president, member, absent) = board_of(3)
    data = session_form(
        client,
        session_fields(board),
        {
            "attendances": [
                attendance_row(president),
                attendance_row(member),
                attendance_row(absent, "absent"),
            ],
            "resolutions": [resolution_row(votes_for="2", votes_against="1", votes_abstain="0")],
        },
    )

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert (
        "عدد الأصوات المعبر عنها (3) يتجاوز عدد الأعضاء ذوي الحق في التصويت الحاضرين أو الممثَّلين (2)."
        in response.content.decode()
    )
    assert not Session.objects.exists()


def test_votes_within_the_members_present_or_represented_in_the_same_submit_are_kept(client):
    signed_in_secretariat(client)
    board, (president, member, absent) = board_of(3)
    data = session_form(
        client,
        session_fields(board),
        {
            "attendances": [
                attendance_row(president),
                attendance_row(member),
                attendance_row(absent, Attendance.Status.REPRESENTED, proxy=member),
            ],
            "resolutions": [resolution_row(votes_for="2", votes_against="1", votes_abstain="0")],
        },
    )

    response = client.post(ADD_URL, data)

    assert response.status_code == 302
    assert Resolution.objects.get().votes_total == 3


def test_a_proxy_given_to_an_absent_member_is_refused(client):
    signed_in_secretariat(client)
    board, (president, member, absent) = board_of(3)
    data = session_form(
        client,
        session_fields(board),
        {
            "attendances": [
                attendance_row(president),
                attendance_row(member, Attendance.Status.ABSENT),
                attendance_row(absent, Attendance.Status.REPRESENTED, proxy=member),
            ],
        },
    )

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "يجب أن يكون حامل التوكيل حاضرا في الدورة." in response.content.decode()
    assert not Session.objects.exists()


def test_a_duplicate_session_ordinal_is_refused(client):
    signed_in_secretariat(client)
    board, (president,) = board_of(1)
    factory.session(board, datetime.date(2025, 6, 20), 2)
    data = session_form(client, session_fields(board, ordinal="2", date="2025-12-18"), {})

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "للمجلس دورة تحمل هذا الرقم في هذه السنة." in response.content.decode()
    assert Session.objects.count() == 1


# What the secretariat may not do


def test_the_secretariat_has_no_bulk_delete_on_sessions(client):
    signed_in_secretariat(client)
    factory.session(factory.board())

    response = client.get(CHANGELIST_URL)

    assert 'value="delete_selected"' not in response.content.decode()


def test_the_secretariat_cannot_open_the_groups(client):
    signed_in_secretariat(client)
    group = Group.objects.get(name="secretariat")

    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get(reverse("admin:auth_group_change", args=[group.pk])).status_code == 403


def test_the_secretariat_does_not_open_the_accounts(client):
    user = signed_in_secretariat(client)
    change_url = reverse("admin:auth_user_change", args=[user.pk])

    assert client.get(change_url).status_code == 403
    assert client.post(change_url, {"username": user.username, "is_superuser": "on"}).status_code == 403
    assert client.get("/admin/auth/user/add/").status_code == 403
    user.refresh_from_db()
    assert not user.is_superuser


@pytest.mark.parametrize("who", ["non-staff", "anonymous"])
def test_someone_outside_the_secretariat_is_sent_to_login(client, who):
    if who == "non-staff":
        client.force_login(User.objects.create_user("visitor", password="visitor-pass-2025"))

    response = client.get(CHANGELIST_URL)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={CHANGELIST_URL}"


def test_the_secretariat_group_holds_exactly_its_list_which_its_migrations_built():
    migrations = [
        importlib.import_module(f"decisions.migrations.{name}")
        for name in ("0002_secretariat_group", "0003_secretariat_minutes_permissions")
    ]
    built = {
        f"{app}.{action}_{model}"
        for migration in migrations
        for (app, model), actions in migration.PERMISSIONS.items()
        for action in actions
    }
    duties = importlib.import_module("decisions.migrations.0008_secretariat_duties")
    messages = importlib.import_module("decisions.migrations.0010_secretariat_messages")
    deletes = importlib.import_module(
        "decisions.migrations.0015_secretariat_deletes_sessions_entered_by_mistake"
    )
    declarations = importlib.import_module("decisions.migrations.0019_secretariat_declarations")
    built = (built - {".".join(p) for p in duties.REMOVED}) | {
        ".".join(p) for p in duties.ADDED + messages.ADDED + deletes.ADDED + declarations.ADDED
    }

    group = Group.objects.get(name=secretariat.GROUP)

    held = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert held == set(secretariat.codenames()) == built
    assert "meetings.delete_session" in held  # a session entered by mistake (Session.deletable)
    assert "meetings.delete_board" not in held
    assert Permission.objects.filter(group=group).count() == len(held)


def test_the_next_migrate_puts_the_secretariat_group_back_as_listed():
    group = Group.objects.get(name=secretariat.GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="meetings", codename="delete_board"))
    group.permissions.remove(
        Permission.objects.get(content_type__app_label="meetings", codename="view_message")
    )

    call_command("migrate", verbosity=0)

    held = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert held == set(secretariat.codenames())


def test_the_add_page_prefills_the_home_board_and_its_president(client):
    signed_in_secretariat(client)
    board, (president,) = board_of(1)

    response = client.get(ADD_URL)

    page = response.content.decode()
    assert re.search(rf'<option value="{board.pk}" selected>{board.name_ar}</option>', page)
    assert re.search(rf'<option value="{president.pk}" selected>{president.name_ar}</option>', page)


def test_two_agenda_items_at_one_position_are_named_as_the_secretariat_reads_them(client):
    board = factory.board()
    session = factory.session(board)
    factory.agenda_item(session, 1, title="تتبع القرارات")
    factory.agenda_item(session, 2, title="الميزانية")
    client.force_login(factory.secretariat_user())
    url = f"/admin/meetings/session/{session.pk}/change/"
    form = read_form(client.get(url), id="session_form").values
    form["agenda_items-1-position"] = "1"

    response = client.post(url, form)

    text = visible_text(response)
    assert "رجاء صحّح بيانات الترتيب المتكررة" in text
    assert "position" not in text
    # Django's note that the browser's clock is hours off the server's is hidden by the admin's stylesheet.
    assert 'href="/static/admin/meetings/admin.css"' in response.content.decode()
    stylesheet = (Path(__file__).parents[2] / "static" / "admin" / "meetings" / "admin.css").read_text()
    assert ".timezonewarning { display: none; }" in stylesheet


def test_agenda_items_and_resolutions_left_unnumbered_take_the_next_numbers(client):
    board = factory.board()
    session = factory.session(board)
    factory.agenda_item(session, 1, title="تتبع القرارات")
    client.force_login(factory.secretariat_user())
    url = f"/admin/meetings/session/{session.pk}/change/"
    page = client.get(url)
    form = read_form(page, id="session_form").values
    assert 'name="agenda_items-__prefix__-position"' in page.content.decode()
    for n, title in ((1, "الميزانية"), (2, "قضايا مختلفة")):
        form.update(
            {
                f"agenda_items-{n}-position": "",
                f"agenda_items-{n}-title": title,
                f"agenda_items-{n}-presenter": "",
                f"agenda_items-{n}-summary": "",
                f"agenda_items-{n}-deliberation": "",
                f"agenda_items-{n}-session": str(session.pk),
            }
        )
    form["agenda_items-TOTAL_FORMS"] = "3"
    form.update(
        {
            "resolutions-TOTAL_FORMS": "1",
            "resolutions-0-sequence": "",
            "resolutions-0-title": "المصادقة على الميزانية",
            "resolutions-0-text": "يصادق المجلس على الميزانية.",
            "resolutions-0-unanimous": "on",
            "resolutions-0-outcome": "adopted",
            "resolutions-0-session": str(session.pk),
        }
    )

    response = client.post(url, form)

    assert response.status_code == 302, visible_text(response)[:1500]
    assert [(i.position, i.title) for i in session.agenda_items.order_by("position")] == [
        (1, "تتبع القرارات"),
        (2, "الميزانية"),
        (3, "قضايا مختلفة"),
    ]
    assert list(session.resolutions.values_list("sequence", flat=True)) == [1]
    assert Resolution.objects.create(session=session, title="قرار ثان", text="نص").sequence == 2


def test_the_member_picker_puts_the_people_named_so_before_those_whose_title_says_it(client):
    board = factory.board()
    factory.seat(board, name_ar="أحمد العلوي", title_ar="كاتب الدولة المكلف بالإدماج الاجتماعي")
    factory.seat(board, name_ar="ممثل وزارة الإدماج الاقتصادي", title_ar="عضو المجلس الإداري")
    factory.seat(board, name_ar="زينب الإدماجي", title_ar="عضو")
    client.force_login(factory.secretariat_user())

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "meetings", "model_name": "attendance", "field_name": "member", "term": "الإدماج"},
    )

    names = [result["text"] for result in response.json()["results"]]
    assert names == [
        "ممثل وزارة الإدماج الاقتصادي — عضو المجلس الإداري",  # the word itself
        "زينب الإدماجي — عضو",  # a word that starts with it
        "أحمد العلوي — كاتب الدولة المكلف بالإدماج الاجتماعي",  # the title only
    ]


def test_the_member_picker_finds_the_ministry_named_by_the_word_before_those_that_contain_it(client):
    board = factory.board()
    factory.seat(board, name_ar="ممثل وزارة الإدماج الاقتصادي والمقاولة الصغرى والتشغيل والكفاءات")
    factory.seat(board, name_ar="ممثل وزارة الاقتصاد والمالية")
    client.force_login(factory.secretariat_user())
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "meetings", "model_name": "attendance", "field_name": "member", "term": "الاقتصاد"},
    )
    names = [result["text"].split(" — ")[0] for result in response.json()["results"]]
    assert names == [
        "ممثل وزارة الاقتصاد والمالية",
        "ممثل وزارة الإدماج الاقتصادي والمقاولة الصغرى والتشغيل والكفاءات",
    ]


def test_the_admin_switches_language_on_the_same_page(client):
    client.force_login(factory.secretariat_user())

    arabic = client.get("/admin/meetings/session/?year=2025").content.decode()
    french = client.get("/fr/admin/meetings/session/?year=2025").content.decode()

    assert 'href="/fr/admin/meetings/session/?year=2025">français</a>' in arabic
    assert 'href="/admin/meetings/session/?year=2025">العربيّة</a>' in french


def test_a_pasted_document_too_long_for_a_deliberation_is_refused_with_a_message_and_kept(client):
    board = factory.board()
    session = factory.session(board)
    item = factory.agenda_item(session, 1, title="مخطط العمل", deliberation="ما قيل فعلا.")
    client.force_login(factory.secretariat_user())
    url = f"/admin/meetings/session/{session.pk}/change/"
    form = read_form(client.get(url), id="session_form").values
    pasted = "تداول المجلس في مخطط العمل. " * 40_000  # about a megabyte
    form["agenda_items-0-deliberation"] = pasted

    response = client.post(url, form)

    assert response.status_code == 200
    assert "100000" in visible_text(response)  # Django's «at most 100000 characters (it has …)», in Arabic
    assert pasted[:200] in response.content.decode()  # what was typed is still in the form
    item.refresh_from_db()
    assert item.deliberation == "ما قيل فعلا."
