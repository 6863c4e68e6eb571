"""The Arabic-aware search: `/search/?q=` over published resolutions and deliberations, `/resolutions/?q=`."""

import datetime
import html
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from decisions.models import Resolution
from meetings.models import Minutes
from tests import factory

pytestmark = pytest.mark.django_db

BUDGET = "المصادقة على مخطط عمل وميزانية مؤسسة التعاون الوطني برسم سنة 2026"
# A search page: the last publication (which names the kept page), the published resolutions found, the
# published deliberations found.
SEARCH_QUERIES = 3


@pytest.fixture(scope="module")
def found(django_db_setup, django_db_blocker):
    """A published session of the home board with resolutions and deliberations spelt in every way the
    search must see through; the same words in sessions whose minutes are not published, in an
    agenda-only session and in another board's published session; and two published sessions with 5 and
    40 matches of a word each. Each test runs in its own transaction inside this one."""
    with django_db_blocker.unblock(), transaction.atomic():
        home = factory.board()
        dec25 = factory.session(home, datetime.date(2025, 12, 18), 2)
        made = {
            "budget": factory.resolution(dec25, 1, title=BUDGET, text="يصادق المجلس على الميزانية."),
            "shadda": factory.resolution(dec25, 2, title="تحيين", text="تخصص الاعتمادات من الميزانيّة."),
            "hamza": factory.resolution(dec25, 3, title="تطبيق أحكام القانون"),
            "bare": factory.resolution(dec25, 4, title="تطبيق احكام المرسوم"),
            "maqsura": factory.resolution(dec25, 5, title="تجهيز مستشفى الإقليم"),
            "ya": factory.resolution(dec25, 6, title="بناء مستشفي جديد"),
            "french": factory.resolution(
                dec25, 7, title="Adoption de l'échéancier", text="Le conseil adopte l'Échéancier <b>2026</b>."
            ),
            "tatweel": factory.resolution(dec25, 8, title="ترشيد مـيـزانية التسيير"),
        }
        made["item"] = factory.agenda_item(
            dec25,
            3,
            title="دراسة مشروع الميزانية",
            deliberation="ناقش المجلس <script>alert(1)</script> والميزانيّة المقترحة.",
        )
        factory.publish(dec25)

        hidden = []
        for ordinal, state in enumerate([Minutes.State.DRAFT, Minutes.State.SIGNED], 1):
            session = factory.session(home, datetime.date(2026, 2 + ordinal, 10), ordinal)
            factory.resolution(session, 1, title=f"ميزانية سرية {state}")
            factory.agenda_item(session, 1, title=f"مداولة سرية {state}", deliberation="ميزانية سرية")
            factory.minutes_at(session, state)
            hidden.append(session)
        agenda_only = factory.session(home, datetime.date(2026, 9, 10), 5, is_public=True)
        factory.resolution(agenda_only, 1, title="ميزانية سرية agenda")
        factory.agenda_item(agenda_only, 1, title="مداولة سرية agenda", deliberation="ميزانية سرية")
        other = factory.session(factory.board(is_home=False), datetime.date(2024, 3, 5), 7)
        factory.resolution(other, 1, title="ميزانية سرية other")
        factory.agenda_item(other, 1, title="مداولة سرية other", deliberation="ميزانية سرية")
        factory.publish(other)

        for count, word, date in [
            (5, "تجهيز المختبرات", (2024, 6, 15)),
            (40, "ترميم البنايات", (2024, 12, 19)),
        ]:
            session = factory.session(home, datetime.date(*date), 1 if count == 5 else 2)
            for n in range(1, count + 1):
                factory.resolution(session, n, title=f"{word} {n}")
                factory.agenda_item(session, n, title=f"نقطة {n}", deliberation=f"تداول المجلس في {word}.")
            factory.publish(session)
        yield made
        transaction.set_rollback(True)


def titles(response) -> list[str]:
    """The titles of the results, their marks taken out."""
    found = re.findall(r'<h3 class="h6 mb-1"><a href="[^"]*">(.*?)</a></h3>', response.content.decode(), re.S)
    return [html.unescape(re.sub(r"</?(mark|bdi)[^>]*>", "", title)) for title in found]


def search(client, query: str):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return response


def finds(client, query: str, resolution: Resolution) -> bool:
    return any(resolution.title in title for title in titles(search(client, query)))


def test_the_budget_resolution_is_found_without_the_dots_of_the_ta_marbuta(client, found):
    assert finds(client, "الميزانيه", found["budget"])


@pytest.mark.parametrize("query", ["ميزانية", "والميزانية", "بالميزانية", "مـيـزانية", "الميزانيّة"])
def test_every_spelling_of_budget_finds_every_other(client, found, query):
    for name in ["budget", "shadda", "tatweel"]:
        assert finds(client, query, found[name]), name


@pytest.mark.parametrize("query", ["أحكام", "احكام", "إحكام", "آحكام"])
def test_alef_forms_find_each_other(client, found, query):
    assert finds(client, query, found["hamza"]) and finds(client, query, found["bare"])


@pytest.mark.parametrize("query", ["مستشفى", "مستشفي"])
def test_alef_maqsura_and_ya_find_each_other(client, found, query):
    assert finds(client, query, found["maqsura"]) and finds(client, query, found["ya"])


@pytest.mark.parametrize("query", ["echeancier", "ÉCHÉANCIER", "l'échéancier"])
def test_french_is_found_whatever_its_accents_and_case(client, found, query):
    assert finds(client, query, found["french"])


def test_every_word_of_the_query_must_be_found(client, found):
    assert finds(client, "مستشفى الإقليم", found["maqsura"])
    assert not finds(client, "مستشفى الإقليم", found["ya"])


def test_a_deliberation_match_links_to_its_agenda_item(client, found):
    item = found["item"]
    response = search(client, "المقترحة")
    url = f"{item.session.get_absolute_url()}#item-{item.position}"
    assert f'<a href="{url}"><bdi>دراسة مشروع الميزانية</bdi></a>' in response.content.decode()


def test_matches_are_highlighted_and_the_rest_escaped(client, found):
    html = search(client, "ميزانية").content.decode()
    assert "على مخطط عمل و<mark>ميزانية</mark> مؤسسة" in html
    assert "من ال<mark>ميزانيّة</mark>." in html
    assert "ترشيد <mark>مـيـزانية</mark> التسيير" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; وال<mark>ميزانيّة</mark> المقترحة" in html
    assert "<script>alert(1)" not in html


def test_french_highlights_keep_the_accents_and_escape_markup(client, found):
    html = search(client, "echeancier 2026").content.decode()
    assert "l&#x27;<mark>Échéancier</mark> &lt;b&gt;<mark>2026</mark>&lt;/b&gt;." in html


def test_markup_in_the_query_is_escaped(client, found):
    html = search(client, '<script>alert("q")</script>').content.decode()
    assert '<script>alert("q")' not in html
    assert "&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("query", ["", "   ", "؟!"])
def test_an_empty_query_says_so(client, found, query):
    response = search(client, query)
    assert 'class="text-body-secondary search-empty"' in response.content.decode()
    assert titles(response) == []


def test_a_long_query_is_answered(client, found):
    response = search(client, "الميزانية " * 50)
    assert any(BUDGET in title for title in titles(response))


def test_no_parameter_at_all_is_an_empty_query(client, found):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "search-empty" in response.content.decode()


def test_unpublished_resolutions_and_deliberations_never_appear(client, found):
    response = search(client, "سرية")
    assert titles(response) == []
    assert "سرية" not in re.sub(r'<input[^>]*name="q"[^>]*>', "", response.content.decode())


def test_the_search_makes_a_fixed_number_of_queries_whatever_it_finds(client, found):
    counts = {}
    for query, matches in [("تجهيز المختبرات", 5), ("ترميم البنايات", 40)]:
        with CaptureQueriesContext(connection) as queries:
            response = search(client, query)
        assert len(titles(response)) == 2 * matches
        counts[matches] = len(queries)
    assert counts[5] == counts[40] == SEARCH_QUERIES


def test_the_register_filters_by_a_query(client, found):
    response = client.get("/resolutions/", {"q": "الميزانيه"})
    html = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r'<tr class="resolution-row">(.*?)</tr>', html, re.S)
    assert len(rows) == 3  # budget, shadda, tatweel
    assert "سرية" not in "".join(rows)


def test_the_register_keeps_its_other_filters_with_a_query(client, found):
    html = client.get("/resolutions/", {"q": "ميزانية", "year": "2024"}).content.decode()
    assert html.count('<tr class="resolution-row">') == 0


def test_the_search_text_follows_an_edit(found):
    session = factory.session(factory.board(is_home=False), datetime.date(2027, 1, 5), 1)
    resolution = factory.resolution(session, 1, title="x", text="y", responsible_unit="Unité")
    resolution.title = "تأهيل المراكز"
    resolution.save(update_fields=["title"])
    resolution.refresh_from_db()
    assert resolution.search_text == "تاهيل المراكز y unite"
    item = factory.agenda_item(session, 1, title="نقطة", summary="ملخص", deliberation="")
    item.deliberation = "ناقش المجلس الميزانيّة"
    item.save(update_fields=["deliberation"])
    item.refresh_from_db()
    assert item.search_text == "نقطه ملخص ناقش المجلس الميزانيه"


def test_a_cut_list_says_so_and_leads_to_the_register_which_pages_through_all(client, found, monkeypatch):
    monkeypatch.setattr("decisions.views.SEARCH_LIMIT", 30)  # the 40 resolutions on ترميم البنايات

    response = search(client, "ترميم البنايات")

    assert len([t for t in titles(response) if "ترميم البنايات" in t]) == 30
    page = response.content.decode()
    assert "لا تُعرض إلا أول 30 نتيجة من كل صنف" in html.unescape(page)
    link = re.search(r'<p class="all-resolutions"><a href="([^"]+)"', page).group(1)
    first = client.get(html.unescape(link))
    second = client.get(html.unescape(link) + "&page=2")
    numbers = re.findall(r"2024/2/(\d+)", first.content.decode() + second.content.decode())
    assert sorted(set(map(int, numbers))) == list(range(1, 41))


def test_a_list_within_the_limit_has_no_such_note(client, found):
    page = search(client, "تجهيز المختبرات").content.decode()

    assert "search-more" not in page
    assert "all-resolutions" not in page
