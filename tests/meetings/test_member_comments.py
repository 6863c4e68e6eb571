"""A member reads the draft minutes and comments on them: what the draft shows before and during the
review, the comment form, the member's own comments with the secretariat's answer (given in the admin), and
what a member may not write.
"""

import pytest

from meetings.models import Comment, Minutes
from tests import factory
from tests.client import Client
from tests.members import (
    COMMENT_SENT,
    DELIBERATION,
    DRAFT_BADGE,
    FIELD_REQUIRED,
    INVALID_CHOICE,
    ITEM,
    MY_COMMENTS,
    ONLY_IN_REVIEW,
    OPENING,
    REPLY_NEEDED,
    RESOLUTION,
    TAKEN,
    TOO_LONG,
    WHOLE_MINUTES,
    admin_form,
    cast,
    page,
    read_form,
    send_comment,
    signed_in,
)
from tests.pages import innermost_elements, visible_text

pytestmark = pytest.mark.django_db


def answer(client: Client, minutes: Minutes, status: str, reply: str):
    """The secretariat sets the status and the reply of the first comment on the minutes' page, saves."""
    url = f"/admin/meetings/minutes/{minutes.pk}/change/"
    data = admin_form(client, url, "minutes_form")
    data.update({"comments-0-status": status, "comments-0-reply": reply, "_save": "حفظ"})
    return client.post(url, data)


# Reading the draft


def test_while_the_minutes_are_in_draft_the_member_reads_the_agenda_only():
    people = cast(Minutes.State.DRAFT)

    response = signed_in(people.member).get(page(people.session))

    assert response.status_code == 200
    text = visible_text(response)
    assert ITEM in text
    for hidden in (DELIBERATION, RESOLUTION, OPENING, DRAFT_BADGE, "ملاحظة على مسودة المحضر"):
        assert hidden not in text
    html = response.content.decode()
    assert 'id="attendance"' not in html and 'id="resolutions"' not in html
    assert "/comment/" not in html and "/approve/" not in html


def test_in_review_the_member_reads_the_whole_draft_record_marked_as_a_draft():
    people = cast()

    response = signed_in(people.member).get(page(people.session))

    text = visible_text(response)
    assert DRAFT_BADGE in text
    assert "المحضر، الصيغة 1: قيد المراجعة" in text
    for shown in (OPENING, ITEM, DELIBERATION, RESOLUTION, "نعيمة بن يحيى", "خطار المجاهدي"):
        assert shown in text
    badges = innermost_elements(response, DRAFT_BADGE)
    assert [(tag, attrs["class"]) for _, tag, attrs in badges] == [("span", "badge text-bg-warning")]


def test_in_review_the_comment_form_shows_its_fields_with_arabic_labels():
    people = cast()

    response = signed_in(people.member).get(page(people.session))

    assert "ملاحظة على مسودة المحضر" in visible_text(response)
    form = read_form(response, action=f"{page(people.session)}comment/")
    assert form.fields == ["csrfmiddlewaretoken", "agenda_item", "text"]
    assert form.labels == {"id_agenda_item": "نقطة جدول الأعمال", "id_text": "ملاحظة *"}
    assert form.options["agenda_item"] == [("", WHOLE_MINUTES), (str(people.item.pk), f"1. {ITEM}")]
    assert form.values["agenda_item"] == ""
    html = response.content.decode()
    # Crispy's Bootstrap 5 layout: a group per field, Bootstrap's classes on the widgets.
    assert 'id="div_id_agenda_item"' in html and 'id="div_id_text"' in html
    assert 'class="select form-select"' in html
    assert 'maxlength="5000"' in html and 'dir="auto"' in html
    assert "اتركه فارغا لملاحظة على المحضر ككل." in visible_text(response)
    assert "إرسال الملاحظة" in visible_text(response)


def test_comments_on_an_agenda_item_and_on_the_whole_minutes_appear_under_my_comments():
    people = cast()
    client = signed_in(people.member)

    first = send_comment(client, people.session, "يرجى تدقيق أرقام المحور الثاني.", people.item)
    second = send_comment(client, people.session, "يقترح إضافة لائحة الحاضرين بالنيابة.")

    assert COMMENT_SENT in visible_text(first) and COMMENT_SENT in visible_text(second)
    text = visible_text(second)
    mine = text[text.index(MY_COMMENTS) :]
    assert f"{ITEM} · مفتوحة يرجى تدقيق أرقام المحور الثاني." in mine
    assert f"{WHOLE_MINUTES} · مفتوحة يقترح إضافة لائحة الحاضرين بالنيابة." in mine
    stored = Comment.objects.order_by("pk")
    assert [(c.member.user, c.agenda_item, c.minutes) for c in stored] == [
        (people.member, people.item, people.minutes),
        (people.member, None, people.minutes),
    ]


def test_a_member_does_not_read_the_comments_of_others_under_my_comments():
    people = cast()
    send_comment(signed_in(people.president), people.session, "ملاحظة الرئيس")

    text = visible_text(signed_in(people.member).get(page(people.session)))

    assert MY_COMMENTS not in text and "ملاحظة الرئيس" not in text


def test_the_member_reads_the_secretariats_reply_and_the_new_status():
    people = cast()
    send_comment(signed_in(people.member), people.session, "يرجى تدقيق أرقام المحور الثاني.", people.item)
    secretary = factory.secretariat_user("answering")

    saved = answer(signed_in(secretary), people.minutes, Comment.Status.TAKEN, "صُححت الأرقام في المسودة.")

    assert saved.status_code == 302
    note = Comment.objects.get()
    assert (note.status, note.reply, note.replied_by) == ("taken", "صُححت الأرقام في المسودة.", secretary)
    text = visible_text(signed_in(people.member).get(page(people.session)))
    mine = text[text.index(MY_COMMENTS) :]
    assert f"{ITEM} · {TAKEN} يرجى تدقيق أرقام المحور الثاني." in mine
    assert "كتابة المجلس: صُححت الأرقام في المسودة." in mine


def test_the_admin_refuses_to_take_a_comment_into_account_without_a_reply():
    people = cast()
    send_comment(signed_in(people.member), people.session, "ملاحظة", people.item)

    response = answer(signed_in(factory.secretariat_user()), people.minutes, Comment.Status.TAKEN, "")

    assert response.status_code == 200
    assert REPLY_NEEDED in visible_text(response)
    note = Comment.objects.get()
    assert (note.status, note.reply, note.replied_by) == ("open", "", None)


# What a member may write


HOSTILE = "<script>alert('x')</script> \u202eعكس اتجاه النص "
HOSTILE += "ب" * (5000 - len(HOSTILE))


def test_hostile_comment_text_is_stored_as_typed_but_its_override_and_shown_escaped():
    people = cast()

    response = send_comment(signed_in(people.member), people.session, HOSTILE)

    assert len(HOSTILE) == 5000
    # The override it opens would reverse the page after it: it is the one thing not kept.
    assert Comment.objects.get().text == HOSTILE.replace("\u202e", "")
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "\u202e" not in html
    [(shown, tag, _)] = innermost_elements(response, "عكس اتجاه النص")
    assert (shown, tag) == (HOSTILE.replace("\u202e", ""), "p")


@pytest.mark.parametrize("text", ["", "   \n "], ids=["empty", "blank"])
def test_an_empty_comment_is_refused_with_a_message(text):
    people = cast()

    response = send_comment(signed_in(people.member), people.session, text)

    assert response.status_code == 400
    assert FIELD_REQUIRED in visible_text(response)
    assert not Comment.objects.exists()


def test_a_comment_longer_than_the_limit_is_refused_with_a_message():
    people = cast()

    response = send_comment(signed_in(people.member), people.session, "ب" * 5001)

    assert response.status_code == 400
    assert TOO_LONG in visible_text(response)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("state", [None, Minutes.State.DRAFT, Minutes.State.APPROVED], ids=str)
def test_a_comment_is_refused_unless_the_minutes_are_in_review(state):
    people = cast(state)

    response = send_comment(signed_in(people.member), people.session, "ملاحظة متأخرة", people.item)

    assert response.redirect_chain == [(page(people.session), 302)]
    assert ONLY_IN_REVIEW in visible_text(response)
    assert COMMENT_SENT not in visible_text(response)
    assert not Comment.objects.exists()


def test_a_crafted_comment_on_an_agenda_item_of_another_session_is_refused():
    people = cast()

    response = send_comment(signed_in(people.member), people.session, "ملاحظة", people.other_item)

    assert response.status_code == 400
    assert INVALID_CHOICE in visible_text(response)
    assert not Comment.objects.exists()
