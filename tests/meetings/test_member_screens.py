"""Members at their screens: a comment action beside each agenda item that brings the member to the form with
that item chosen, the board pack as one PDF (the convocation as its cover, then the session's documents in
the agenda's order), the badges of the member's list that say what is awaited, and the session pages on
paper (the print stylesheet, printed by Chromium and read back with poppler).
"""

import datetime
import mimetypes
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
import weasyprint
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext, ngettext

from meetings.convocation import convening
from meetings.models import Document, Minutes
from tests import factory
from tests.browser import chromium
from tests.client import Client
from tests.members import (
    DELIBERATION,
    ITEM,
    RESOLUTION,
    a_pdf,
    cast,
    page,
    read_form,
    signed_in,
)
from tests.pdf import normalized, page_count, page_texts, text

pytestmark = pytest.mark.django_db

SECOND_ITEM = "المصادقة على مشروع ميزانية سنة 2026"


def in_arabic(message: str) -> str:
    """A new text of these pages as the Arabic catalogue gives it (the English text until it is filled)."""
    with translation.override("ar"):
        return gettext(message)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[dict, str]] = []
        self._open: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            self._open, self._text = dict(attrs), ""

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.found.append((self._open, " ".join(self._text.split())))
            self._open = None


def links(response) -> list[tuple[dict, str]]:
    """Each link of a page: its attributes and its text (what a screen reader names it by)."""
    reader = _Links()
    reader.feed(response.content.decode())
    return reader.found


def comment_links(response) -> list[str]:
    label = in_arabic("Comment on this item")
    return [attrs["href"] for attrs, name in links(response) if name.startswith(label)]


# A comment on one item, from beside it


def test_in_review_each_agenda_item_has_its_own_comment_link_to_the_form_with_that_item_chosen():
    people = cast()
    second = factory.agenda_item(people.session, 2, title=SECOND_ITEM)
    client = signed_in(people.member)

    hrefs = comment_links(client.get(page(people.session)))

    assert hrefs == [
        f"{page(people.session)}?item={people.item.pk}#comment",
        f"{page(people.session)}?item={second.pk}#comment",
    ]
    followed = client.get(hrefs[1])
    form = read_form(followed, action=f"{page(people.session)}comment/")
    assert form.values["agenda_item"] == str(second.pk)
    assert dict(form.options["agenda_item"])[str(second.pk)] == f"2. {SECOND_ITEM}"
    assert 'id="comment"' in followed.content.decode()  # where the link's #comment takes the reader


def test_the_comment_sent_from_an_items_link_is_on_that_item():
    people = cast()
    client = signed_in(people.member)
    followed = client.get(comment_links(client.get(page(people.session)))[0])
    action = f"{page(people.session)}comment/"

    sent = client.post(
        action, {**read_form(followed, action=action).values, "text": "تدقيق الأرقام."}, follow=True
    )

    assert sent.status_code == 200
    assert people.minutes is not None
    assert people.minutes.comments.get().agenda_item == people.item


def test_the_general_comment_form_stays_and_chooses_the_whole_minutes_without_a_link():
    people = cast()

    form = read_form(
        signed_in(people.member).get(page(people.session)), action=f"{page(people.session)}comment/"
    )

    assert form.values.get("agenda_item", "") == ""
    assert form.fields == ["csrfmiddlewaretoken", "agenda_item", "text"]


@pytest.mark.parametrize("chosen", ["other-session", "abc", "999999", ""])
def test_an_item_that_is_not_of_this_agenda_is_not_chosen(chosen):
    people = cast()
    item = str(people.other_item.pk) if chosen == "other-session" else chosen

    response = signed_in(people.member).get(f"{page(people.session)}?item={item}")

    assert response.status_code == 200
    form = read_form(response, action=f"{page(people.session)}comment/")
    assert form.values.get("agenda_item", "") == ""


@pytest.mark.parametrize("state", [Minutes.State.DRAFT, Minutes.State.APPROVED])
def test_no_comment_link_while_the_minutes_take_no_comments(state):
    people = cast(state)

    response = signed_in(people.member).get(f"{page(people.session)}?item={people.item.pk}")

    assert response.status_code == 200
    assert comment_links(response) == []
    assert f"{page(people.session)}comment/" not in response.content.decode()


# The board pack


def two_pages(first: str, second: str) -> bytes:
    html = f'<html lang="ar" dir="rtl"><body><p style="break-after: page">{first}</p><p>{second}</p></body></html>'
    return weasyprint.HTML(string=html).write_pdf()


def attach(people, title: str, content: bytes, item=None) -> Document:
    return Document.objects.create(
        session=people.session, agenda_item=item, title=title, file=ContentFile(content, name="document.pdf")
    )


def pack_url(session) -> str:
    return f"{page(session)}board-pack.pdf"


def download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def test_a_member_downloads_the_convocation_then_the_documents_in_the_agendas_order():
    people = cast()
    second = factory.agenda_item(people.session, 2, title=SECOND_ITEM)
    # Attached in another order than the agenda's; the one tied to no item comes last.
    attach(people, "ألف: مذكرة عامة", a_pdf("مذكرة عامة غير مرتبطة بنقطة"))
    attach(people, "مشروع الميزانية", two_pages("الميزانية، الجزء 1", "الميزانية، الجزء 2"), second)
    attach(people, "مشروع مخطط العمل", a_pdf("نص مخطط العمل المعروض"), people.item)

    pack = download(signed_in(people.member), pack_url(people.session))

    pages = page_texts(pack)
    assert page_count(pack) == 1 + 1 + 2 + 1  # the cover, then the documents' own pages
    cover = pages[0]
    for line in (people.session.title, people.session.board.name, "18 دجنبر 2025", ITEM, SECOND_ITEM):
        assert normalized(line) in cover
    assert normalized("مشروع مخطط العمل") in cover and normalized("مذكرة عامة") in cover
    assert normalized("نص مخطط العمل المعروض") in pages[1]
    assert normalized("الميزانية، الجزء 1") in pages[2]
    assert normalized("الميزانية، الجزء 2") in pages[3]
    assert normalized("مذكرة عامة غير مرتبطة بنقطة") in pages[4]


def test_a_cover_longer_than_a_page_still_gives_the_page_where_each_document_starts():
    people = cast()
    for number in range(1, 41):
        attach(people, f"ملحق رقم {number} من ملاحق تقرير التنفيذ", a_pdf(f"نص الملحق {number}"), people.item)

    pack = download(signed_in(people.member), pack_url(people.session))

    pages = page_texts(pack)
    cover_pages = page_count(pack) - 40
    assert cover_pages > 1
    with translation.override("ar"):
        starts = ngettext("page %(first)s (one page)", "page %(first)s (%(pages)s pages)", 1)
    # Brackets left out: pdftotext turns them around where Arabic and Latin text meet.
    first = re.sub("[()]", "", normalized(starts % {"first": cover_pages + 1, "pages": 1}))
    assert first in re.sub("[()]", "", "".join(pages[:cover_pages]))
    assert normalized("نص الملحق 1") in pages[cover_pages]


def test_the_member_page_offers_the_pack_beside_the_documents():
    people = cast()
    attach(people, "تقرير", a_pdf())

    response = signed_in(people.member).get(page(people.session))

    assert any(attrs.get("href") == pack_url(people.session) for attrs, _name in links(response))


def test_a_broken_document_is_left_out_and_the_cover_says_so():
    people = cast()
    attach(people, "تقرير سليم", a_pdf("نص التقرير السليم"), people.item)
    attach(people, "ملف تالف", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF broken")
    missing = attach(people, "ملف مفقود", a_pdf())
    missing.file.storage.delete(missing.file.name)  # gone from the storage, the row still naming it

    pack = download(signed_in(people.member), pack_url(people.session))

    assert page_count(pack) == 2  # the cover and the one readable document
    cover = page_texts(pack)[0]
    left_out = normalized(in_arabic("could not be included in this file"))
    assert cover.count(left_out) >= 2  # beside each title (and in the notice that sums them up)
    assert normalized("ملف تالف") in cover and normalized("ملف مفقود") in cover
    assert normalized("نص التقرير السليم") in page_texts(pack)[1]


def test_the_pack_of_a_session_without_documents_is_its_convocation():
    people = cast()

    pack = download(signed_in(people.member), pack_url(people.session))

    assert page_count(pack) == 1
    assert normalized(ITEM) in normalized(text(pack))


def test_a_french_reader_gets_a_french_cover():
    people = cast()

    pack = download(signed_in(people.member), f"/fr{pack_url(people.session)}")

    with translation.override("fr"):
        title = people.session.title
    assert normalized(title) in normalized(text(pack))


def test_the_pack_is_for_the_members_of_the_sessions_board_only():
    people = cast()
    attach(people, "تقرير", a_pdf())

    assert signed_in(people.outsider).get(pack_url(people.session)).status_code == 404
    assert signed_in(people.member).get(pack_url(people.other_session)).status_code == 404
    assert signed_in(factory.secretariat_user()).get(pack_url(people.session)).status_code == 404
    anonymous = Client().get(pack_url(people.session))
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/members/login/?next={pack_url(people.session)}"


# What the member's list says is awaited


def test_the_list_asks_for_the_answer_and_the_review_each_with_a_link_to_where_to_act():
    people = cast()
    with time_machine.travel(datetime.datetime(2025, 11, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        convening.convene(people.session, by=factory.secretariat_user())

        response = signed_in(people.member).get("/members/")

    badges = {name: attrs["href"] for attrs, name in links(response) if "badge" in attrs.get("class", "")}
    assert badges == {
        in_arabic("awaiting your answer to the convocation"): f"{page(people.session)}#answer",
        in_arabic("draft minutes awaiting your review"): f"{page(people.session)}#comment",
    }


# On paper


def printed(html: str, url: str) -> tuple[bytes, list[dict]]:
    """The page as Chromium prints it (its print stylesheet), its own static files served to it; and how
    each link that prints is drawn."""
    with chromium() as browser:
        tab = browser.new_page()

        def serve(route) -> None:
            static = route.request.url.partition("/static/")[2]
            if route.request.url == url:
                route.fulfill(body=html, content_type="text/html; charset=utf-8")
            elif static and (found := finders.find(static)):
                kind = mimetypes.guess_type(static)[0] or "application/octet-stream"
                route.fulfill(body=Path(str(found)).read_bytes(), content_type=kind)
            else:
                route.fulfill(status=404, body="")

        tab.route("**/*", serve)
        tab.goto(url)
        tab.emulate_media(media="print")
        drawn = tab.evaluate(LINKS_AS_DRAWN)
        return tab.pdf(format="A4"), drawn


# Each link laid out on paper: its text, its colour beside its paragraph's, whether it is underlined.
LINKS_AS_DRAWN = """() => [...document.querySelectorAll("a[href]")]
  .filter(a => a.getClientRects().length)
  .map(a => ({text: a.textContent.trim(), color: getComputedStyle(a).color,
              around: getComputedStyle(a.parentElement).color,
              line: getComputedStyle(a).textDecorationLine}))"""


@pytest.mark.e2e
def test_the_members_page_prints_the_record_without_forms_buttons_or_navigation():
    people = cast()
    attach(people, "تقرير", a_pdf())
    client = signed_in(people.member)
    html = client.get(page(people.session)).content.decode()

    pdf, drawn = printed(html, f"http://board.test{page(people.session)}")

    on_paper = normalized(text(pdf))
    for shown in (people.session.title, ITEM, DELIBERATION, "خطار المجاهدي", "تقرير"):
        assert normalized(shown) in on_paper
    for hidden in (
        in_arabic("Comment on this item"),
        in_arabic("Send the comment"),
        in_arabic("Download the whole board pack (one PDF)"),
        in_arabic("Skip to the content"),
        "français",
        in_arabic("Sign out"),
        in_arabic("My sessions"),
    ):
        assert normalized(hidden) not in on_paper, hidden
    assert drawn and all(link["line"] == "none" and link["color"] == link["around"] for link in drawn), drawn


@pytest.mark.e2e
def test_the_public_page_prints_the_record_with_its_links_as_plain_text():
    people = cast(state=None)
    factory.publish(people.session)
    url = f"/sessions/{people.session.year}/{people.session.ordinal}/"
    html = Client().get(url).content.decode()

    pdf, drawn = printed(html, f"http://board.test{url}")

    on_paper = normalized(text(pdf))
    for shown in (people.session.title, ITEM, DELIBERATION, RESOLUTION, "خطار المجاهدي"):
        assert normalized(shown) in on_paper
    for hidden in (in_arabic("Download the minutes (PDF)"), in_arabic("check a copy"), "français"):
        assert normalized(hidden) not in on_paper, hidden
    assert drawn and all(link["line"] == "none" and link["color"] == link["around"] for link in drawn), drawn
