"""The member pages as a board member lives them: sign in, read the sessions of their board, comment on the
draft minutes, read the secretariat's answer, approve (president and rapporteur), download documents.

The secretariat's side (answering a comment, attaching a document) is driven through the real admin forms,
posted as a browser would post them: the values the page holds, with the user's changes on top.
"""

import datetime
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
import time_machine
import weasyprint
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from meetings.models import AgendaItem, Approval, Comment, Document, Membership, Minutes, Session
from tests import factory
from tests.pages import innermost_elements, visible_text

pytestmark = pytest.mark.django_db

PASSWORD = "m3mber-pass!"  # factory.user_for's

# What the member reads, as locale/ar/LC_MESSAGES/django.po (and Django's own Arabic catalogue) says it.
DRAFT_BADGE = "مسودة — لمراجعة أعضاء المجلس"
MY_COMMENTS = "ملاحظاتي"
APPROVE_BUTTON = "المصادقة على هذا المحضر"
COMMENT_SENT = "أُرسلت ملاحظتكم إلى كتابة المجلس."
APPROVAL_RECORDED = "سُجلت مصادقتكم على المحضر."
ONLY_IN_REVIEW = "تُقبل الملاحظات ما دام المحضر في طور المراجعة."
NOT_WHILE_APPROVED = "هذا غير ممكن والمحضر «مصادق عليه»."
WHOLE_MINUTES = "المحضر ككل"
TAKEN = "مأخوذة بعين الاعتبار"
REPLY_NEEDED = "الملاحظة المأخوذة بعين الاعتبار أو المرفوضة تحتاج إلى جواب."
FIELD_REQUIRED = "هذا الحقل مطلوب."
TOO_LONG = "تأكد أن هذه القيمة تحتوي على 5000 حرف أو رمز على الأكثر (هي تحتوي حالياً على 5001)."
INVALID_CHOICE = "انتق خياراً صحيحاً. اختيارك ليس أحد الخيارات المتاحة."
NOT_A_PDF = "هذا الملف ليس وثيقة PDF."
OVER_10_MB = "حجم هذا الملف يتجاوز 10 ميغابايت."

OPENING = "افتتح السيد الرئيس الجلسة بتلاوة آيات من الذكر الحكيم."
ITEM = "المصادقة على مخطط عمل سنة 2026"
DELIBERATION = "ناقش أعضاء المجلس مشروع مخطط العمل وأبدوا ملاحظاتهم."
RESOLUTION = "المصادقة على مخطط العمل"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every test makes a login for each of its actors: the real hasher's cost is meant for attackers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Cast:
    """A board with its president, rapporteur and a plain member (each with a login), its 2nd session of
    2025 (attendance, one agenda item, one resolution) and the session's minutes; and an outsider, who
    sits on another board, with a session of their own."""

    session: Session
    item: AgendaItem
    minutes: Minutes | None
    president: User
    rapporteur: User
    member: User
    outsider: User
    other_session: Session
    other_item: AgendaItem


def cast(state: str | None = Minutes.State.IN_REVIEW) -> Cast:
    board = factory.board()
    president = factory.seat(board, Membership.Role.PRESIDENT, name_ar="نعيمة بن يحيى")
    rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR, name_ar="مدير التعاون الوطني")
    member = factory.seat(board, name_ar="خطار المجاهدي")
    session = factory.session(board, chair=president, opening=OPENING)
    for who in (president, rapporteur, member):
        factory.attend(session, who)
    item = factory.agenda_item(session, 1, title=ITEM, deliberation=DELIBERATION)
    factory.resolution(session, 1, agenda_item=item, title=RESOLUTION)
    other_board = factory.board(is_home=False)
    outsider = factory.seat(other_board, name_ar="عضو مجلس آخر")
    other_session = factory.session(other_board, date=datetime.date(2024, 6, 20), ordinal=1)
    users = [factory.user_for(who) for who in (president, rapporteur, member, outsider)]
    return Cast(
        session=session,
        item=item,
        minutes=factory.minutes_at(session, state) if state else None,
        president=users[0],
        rapporteur=users[1],
        member=users[2],
        outsider=users[3],
        other_session=other_session,
        other_item=factory.agenda_item(other_session, 1, title="نقطة من دورة مجلس آخر"),
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(session: Session) -> str:
    return f"/members/sessions/{session.pk}/"


def send_comment(client: Client, session: Session, text: str, item: AgendaItem | None = None):
    data = {"text": text, "agenda_item": str(item.pk) if item else ""}
    return client.post(f"{page(session)}comment/", data, follow=True)


def a_pdf(text: str = "تقرير حول تنفيذ مخطط العمل") -> bytes:
    """A small real PDF, as WeasyPrint makes the minutes."""
    return weasyprint.HTML(string=f'<html lang="ar" dir="rtl"><body><p>{text}</p></body></html>').write_pdf()


# Forms, read as a browser reads them


class FormReader(HTMLParser):
    """One form of a page (found by an attribute of its <form>): the values a browser would submit from
    it (buttons and files left out), its fields in order, their labels and the options of its selects."""

    def __init__(self, **match: str) -> None:
        super().__init__(convert_charrefs=True)
        self.match, self.inside = match, False
        self.values: dict[str, str] = {}
        self.fields: list[str] = []
        self.labels: dict[str, str] = {}
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select: str | None = None
        self._text: tuple[str, str] | None = None  # (where the text goes: "value" or "label", the key)
        self._option: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if tag == "form":
            self.inside = all(attrs.get(key) == value for key, value in self.match.items())
        elif not self.inside or "__prefix__" in name:
            return
        elif tag == "label":
            self._text = ("label", attrs.get("for", ""))
            self.labels[attrs.get("for", "")] = ""
        elif tag == "option" and self._select:
            self._option = attrs.get("value", "")
            self.options[self._select].append((self._option, ""))
            if "selected" in attrs:
                self.values[self._select] = self._option
        elif tag in {"input", "select", "textarea"} and name:
            self.fields.append(name)
            kind = attrs.get("type", "text")
            if tag == "select":
                self._select, self.options[name] = name, []
            elif tag == "textarea":
                self._text, self.values[name] = ("value", name), ""
            elif kind not in {"submit", "button", "file", "image", "reset", "checkbox", "radio"}:
                self.values[name] = attrs.get("value", "")
            elif kind in {"checkbox", "radio"} and "checked" in attrs:
                self.values[name] = attrs.get("value", "on")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag in {"label", "textarea"}:
            self._text = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data: str) -> None:
        if self._option is not None and self._select:
            value, text = self.options[self._select][-1]
            self.options[self._select][-1] = (value, " ".join(f"{text} {data}".split()))
        elif self._text and self._text[0] == "label":
            self.labels[self._text[1]] = " ".join(f"{self.labels[self._text[1]]} {data}".split())
        elif self._text:
            self.values[self._text[1]] += data


def read_form(response, **match: str) -> FormReader:
    reader = FormReader(**match)
    reader.feed(response.content.decode())
    # A browser drops the newline that follows <textarea>.
    reader.values = {name: value.removeprefix("\n") for name, value in reader.values.items()}
    return reader


def admin_form(client: Client, url: str, form_id: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return read_form(response, id=form_id).values


def answer(client: Client, minutes: Minutes, status: str, reply: str):
    """The secretariat sets the status and the reply of the first comment on the minutes' page, saves."""
    url = f"/admin/meetings/minutes/{minutes.pk}/change/"
    data = admin_form(client, url, "minutes_form")
    data.update({"comments-0-status": status, "comments-0-reply": reply, "_save": "حفظ"})
    return client.post(url, data)


def attach(client: Client, session: Session, upload: SimpleUploadedFile, title: str = "تقرير التنفيذ"):
    """The secretariat adds one row to the documents inline of the session's page, saves."""
    url = f"/admin/meetings/session/{session.pk}/change/"
    data = admin_form(client, url, "session_form")
    data.update({"documents-TOTAL_FORMS": "1", "documents-0-title": title, "documents-0-agenda_item": ""})
    return client.post(url, {**data, "documents-0-file": upload, "_save": "حفظ"})


# Signing in


def test_the_member_pages_send_an_anonymous_visitor_to_sign_in():
    session = cast().session

    for path in ["/members/", page(session)]:
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/members/login/?next={path}"


def test_a_member_signs_in_on_the_login_page_and_lands_on_their_sessions():
    people = cast()
    client = Client()

    form = client.get("/members/login/?next=/members/")
    response = client.post(
        "/members/login/",
        {"username": people.member.username, "password": PASSWORD, "next": "/members/"},
        follow=True,
    )

    login = read_form(form, method="post")
    assert login.fields == ["csrfmiddlewaretoken", "username", "password", "next"]
    assert login.labels == {"id_username": "اسم المستخدم *", "id_password": "كلمة المرور *"}
    assert login.values["next"] == "/members/"
    assert response.redirect_chain == [("/members/", 302)]
    text = visible_text(response)
    assert "دورات المجالس التي أنا عضو فيها" in text
    assert "عضو المجلس: خطار المجاهدي" in text
    assert "الدورة الثانية برسم سنة 2025" in text


def test_a_wrong_password_keeps_the_visitor_on_the_login_page():
    people = cast()

    response = Client().post("/members/login/", {"username": people.member.username, "password": "x"})

    assert response.status_code == 200
    assert "الرجاء إدخال اسم المستخدم وكلمة السر الصحيحين." in visible_text(response)
    assert "_auth_user_id" not in response.client.session


def test_a_signed_in_user_who_is_not_a_board_member_gets_404_on_the_member_pages():
    people = cast()
    document = Document.objects.create(
        session=people.session, title="تقرير", file=ContentFile(a_pdf(), name="report.pdf")
    )
    client = signed_in(User.objects.create_user("visitor", password="pass-visitor-1"))

    for path in [page(people.session), f"/members/documents/{document.pk}/"]:
        assert client.get(path).status_code == 404
    assert client.post(f"{page(people.session)}comment/", {"text": "مرحبا"}).status_code == 404
    assert not Comment.objects.exists()


def test_a_signed_in_user_who_is_not_a_board_member_is_told_so_on_the_member_home():
    client = signed_in(User.objects.create_user("visitor", password="pass-visitor-1", is_staff=True))

    response = client.get("/members/")

    assert response.status_code == 403
    assert "حسابكم غير مرتبط بعضو في مجلس." in visible_text(response)
    assert 'href="/admin/"' in response.content.decode()


# Which sessions a member sees


@time_machine.travel(datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_member_sees_the_past_and_upcoming_sessions_of_their_boards_and_not_the_others():
    people = cast(state=None)
    board = people.session.board
    past = factory.session(board, date=datetime.date(2025, 6, 20), ordinal=1)
    upcoming = factory.session(board, date=datetime.date(2026, 6, 18), ordinal=1)

    response = signed_in(people.member).get("/members/")

    html = response.content.decode()
    for shown in (past, people.session, upcoming):
        assert f'href="{page(shown)}"' in html
    assert f'href="{page(people.other_session)}"' not in html
    text = visible_text(response)
    assert "الدورة الأولى برسم سنة 2026 " in text and "18 يونيو 2026" in text
    assert "الدورة الأولى برسم سنة 2025 " in text and "20 يونيو 2025" in text
    assert "الدورة الأولى برسم سنة 2024" not in text
    assert "نقطة من دورة مجلس آخر" not in text


def test_a_member_reads_only_the_sessions_held_during_their_term():
    people = cast(state=None)  # the session of 18 دجنبر 2025, its minutes in review below
    board = people.session.board
    june = factory.session(board, date=datetime.date(2025, 6, 20), ordinal=1)
    factory.minutes_at(people.session, Minutes.State.IN_REVIEW)
    former = factory.seat(board, start=datetime.date(2022, 1, 1), end=datetime.date(2025, 9, 30))
    newcomer = factory.seat(board, start=datetime.date(2026, 1, 1))

    former_client = signed_in(factory.user_for(former))
    newcomer_client = signed_in(factory.user_for(newcomer))

    assert former_client.get(page(june)).status_code == 200
    assert former_client.get(page(people.session)).status_code == 404  # after their term ended
    assert f'href="{page(people.session)}"' not in former_client.get("/members/").content.decode()
    assert newcomer_client.get(page(people.session)).status_code == 404  # before their term began
    assert send_comment(newcomer_client, people.session, "ملاحظة").status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", ""), ("post", "comment/"), ("post", "approve/")], ids=str
)
def test_a_session_of_another_board_is_a_404_exactly_like_a_session_that_does_not_exist(method, suffix):
    people = cast()
    factory.minutes_at(people.other_session, Minutes.State.IN_REVIEW)  # open to its own board's comments
    client = signed_in(people.president)  # who may approve and comment on their own board's minutes
    missing = Session.objects.order_by("-pk").first().pk + 100
    data = {"text": "ملاحظة", "agenda_item": ""} if method == "post" else None

    other = getattr(client, method)(f"{page(people.other_session)}{suffix}", data)
    nowhere = getattr(client, method)(f"/members/sessions/{missing}/{suffix}", data)

    assert other.status_code == nowhere.status_code == 404
    assert other.content == nowhere.content
    assert "هذه الصفحة غير موجودة أو غير منشورة." in visible_text(other)
    assert not Comment.objects.exists() and not Approval.objects.exists()


def test_a_document_of_another_board_is_a_404_exactly_like_a_document_that_does_not_exist():
    people = cast()
    theirs = Document.objects.create(
        session=people.other_session, title="وثيقة", file=ContentFile(a_pdf(), name="theirs.pdf")
    )
    client = signed_in(people.member)

    other = client.get(f"/members/documents/{theirs.pk}/")
    nowhere = client.get(f"/members/documents/{theirs.pk + 100}/")

    assert other.status_code == nowhere.status_code == 404
    assert other.content == nowhere.content
    assert signed_in(people.outsider).get(f"/members/documents/{theirs.pk}/").status_code == 200


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


def test_hostile_comment_text_is_stored_as_typed_and_shown_escaped():
    people = cast()

    response = send_comment(signed_in(people.member), people.session, HOSTILE)

    assert len(HOSTILE) == 5000
    assert Comment.objects.get().text == HOSTILE
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    # The override it opens is closed where the comment ends: it cannot reverse the page after it.
    [(shown, tag, _)] = innermost_elements(response, "\u202e")
    assert (shown, tag) == (HOSTILE + "\u202c", "p")


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


# Approving


@pytest.mark.parametrize("who", ["president", "rapporteur"])
def test_the_president_and_the_rapporteur_are_offered_the_approval(who):
    people = cast()

    response = signed_in(getattr(people, who)).get(page(people.session))

    assert APPROVE_BUTTON in visible_text(response)
    assert f'action="{page(people.session)}approve/"' in response.content.decode()


def test_the_minutes_are_approved_once_the_president_and_then_the_rapporteur_approve():
    people = cast()

    first = signed_in(people.president).post(f"{page(people.session)}approve/", follow=True)
    people.minutes.refresh_from_db()
    state_after_first = people.minutes.state
    second = signed_in(people.rapporteur).post(f"{page(people.session)}approve/", follow=True)

    assert APPROVAL_RECORDED in visible_text(first)
    assert "صادق عليه نعيمة بن يحيى (الرئيس)" in visible_text(first)
    assert state_after_first == Minutes.State.IN_REVIEW
    assert APPROVAL_RECORDED in visible_text(second)
    people.minutes.refresh_from_db()
    assert people.minutes.state == Minutes.State.APPROVED
    text = visible_text(second)
    assert "المحضر، الصيغة 1: مصادق عليه" in text
    assert "صادق عليه مدير التعاون الوطني (المقرر)" in text
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

    president.post(approve)
    again = president.post(approve, follow=True)  # a double click

    # Back on the session's page (no error page), with one approval on record.
    assert again.redirect_chain == [(page(people.session), 302)]
    assert "الدورة الثانية برسم سنة 2025" in visible_text(again)
    people.minutes.refresh_from_db()
    assert (people.minutes.state, people.minutes.approvals.count()) == ("in_review", 1)

    signed_in(people.rapporteur).post(approve)
    once_more = president.post(approve, follow=True)

    assert once_more.status_code == 200
    assert NOT_WHILE_APPROVED in visible_text(once_more)
    people.minutes.refresh_from_db()
    assert (people.minutes.state, people.minutes.approvals.count()) == ("approved", 2)


# Nobody outside the secretariat edits the record


def test_a_member_is_sent_to_the_admins_login_from_the_admin():
    people = cast()

    response = signed_in(people.member).get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def staff_without_permissions() -> User:
    """A member given a staff account by mistake, without the secretariat's group."""
    return User.objects.create_user("staff-member", password="pass-staff-1", is_staff=True)


@pytest.mark.parametrize("staff", [False, True], ids=["member", "staff without the group"])
def test_a_crafted_post_to_the_sessions_admin_page_changes_nothing(staff):
    people = cast()
    url = f"/admin/meetings/session/{people.session.pk}/change/"
    data = admin_form(signed_in(factory.secretariat_user()), url, "session_form")
    data.update({"place": "مكان آخر", "opening": "افتتاح مزور", "_save": "حفظ"})
    intruder = staff_without_permissions() if staff else people.member

    response = signed_in(intruder).post(url, data)

    assert response.status_code == (403 if staff else 302)
    if not staff:
        assert response["Location"].startswith("/admin/login/")
    people.session.refresh_from_db()
    assert (people.session.place, people.session.opening) == ("الرباط", OPENING)


@pytest.mark.parametrize("staff", [False, True], ids=["member", "staff without the group"])
def test_a_crafted_post_to_a_lifecycle_move_changes_nothing(staff):
    people = cast()
    intruder = staff_without_permissions() if staff else people.president

    response = signed_in(intruder).post(
        f"/admin/meetings/minutes/{people.minutes.pk}/move/return_to_draft/", {"reason": "بدون صفة"}
    )

    assert response.status_code == (403 if staff else 302)
    people.minutes.refresh_from_db()
    assert people.minutes.state == Minutes.State.IN_REVIEW
    assert people.minutes.transitions.count() == 2  # started, submitted


# Documents


def test_the_secretariat_attaches_a_pdf_that_members_of_the_board_download_byte_for_byte():
    people = cast()
    report = a_pdf()

    saved = attach(
        signed_in(factory.secretariat_user()),
        people.session,
        SimpleUploadedFile("تقرير.pdf", report, content_type="application/pdf"),
    )

    assert saved.status_code == 302
    document = people.session.documents.get()
    client = signed_in(people.member)
    listed = client.get(page(people.session))
    assert f'href="/members/documents/{document.pk}/"' in listed.content.decode()
    assert "تقرير التنفيذ" in visible_text(listed)
    response = client.get(f"/members/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == report
    assert signed_in(people.outsider).get(f"/members/documents/{document.pk}/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_for_a_document():
    people = cast()
    document = Document.objects.create(
        session=people.session, title="تقرير", file=ContentFile(a_pdf(), name="report.pdf")
    )

    response = Client().get(f"/members/documents/{document.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/members/login/?next=/members/documents/{document.pk}/"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(200), NOT_A_PDF, id="a picture renamed .pdf"),
        pytest.param(b"%PDF-1.7\n" + bytes(10 * 1024 * 1024), OVER_10_MB, id="over 10 MB"),
    ],
)
def test_the_admin_refuses_a_document_that_is_not_a_pdf_of_at_most_10_mb(content, message):
    people = cast()

    response = attach(
        signed_in(factory.secretariat_user()),
        people.session,
        SimpleUploadedFile("تقرير.pdf", content, content_type="application/pdf"),
    )

    assert response.status_code == 200
    assert message in visible_text(response)
    assert not Document.objects.exists()


# French


def test_the_member_pages_render_in_french():
    people = cast()
    client = signed_in(people.member)

    sessions = client.get("/fr/members/")
    session = client.get(f"/fr{page(people.session)}")

    for response in (sessions, session):
        assert response.status_code == 200
        assert '<html lang="fr" dir="ltr">' in response.content.decode()
    assert Client().get("/fr/members/")["Location"] == "/fr/members/login/?next=/fr/members/"
    assert "Sessions de mes conseils" in visible_text(sessions)
    assert f'href="/fr{page(people.session)}"' in sessions.content.decode()
    text = visible_text(session)
    assert "Deuxième session de l'année 2025" in text
    assert "Projet — soumis à la relecture des membres" in text
    assert "Observation sur le projet de procès-verbal" in text
