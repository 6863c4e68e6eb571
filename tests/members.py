"""What the member pages' tests share: a cast of board members around one session, a signed-in client,
the texts the member reads, and forms read back as a browser reads them.

The secretariat's side (answering a comment, attaching a document) is driven through the real admin forms,
posted as a browser would post them: the values the page holds (`admin_form`), with the user's changes on
top.
"""

import datetime
import time
from dataclasses import dataclass
from html.parser import HTMLParser

import weasyprint
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice

from meetings.models import AgendaItem, Membership, Minutes, Session
from tests import factory
from tests.client import Client, app_code

# What the member reads, as locale/ar/LC_MESSAGES/django.po (and Django's own Arabic catalogue) says it.
DRAFT_BADGE = "مسودة — لمراجعة أعضاء المجلس"
MY_COMMENTS = "ملاحظاتي"
APPROVE_BUTTON = "المصادقة على هذا المحضر وتوقيعه"
COMMENT_SENT = "أُرسلت ملاحظتكم إلى كتابة المجلس."
APPROVAL_RECORDED = "توقيعكم على المحضر: سُجلت مصادقتكم."
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
    rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR)  # the demo person (factory.seat)
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


def users_app_code(user: User) -> str:
    """A code of the authenticator app `user` signed in with (tests/client.py's device), as the app shows
    it: for the current 30 s step, or the next one if the current one was used (django-otp takes a code
    once, and a step either side of the clock's)."""
    app = TOTPDevice.objects.get(user=user, confirmed=True)
    step = max(int(time.time() // 30), app.last_t + 1)
    return app_code(app.bin_key, datetime.datetime.fromtimestamp(step * 30, tz=datetime.UTC))


def confirmed(user: User, pin: str | None = None) -> dict:
    """The approval's form as `user` sends it: the whole record read (ticked), a code of their app, and
    the PIN of their signature at the signing service (their demo person's, unless given)."""
    return {
        "confirm": "on",
        "code": users_app_code(user),
        "pin": factory.pin_of(user) if pin is None else pin,
    }


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
