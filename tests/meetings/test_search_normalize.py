"""The normalisation that the search applies to the stored text and to the query (meetings.text.search)."""

import pytest

from meetings.text.search import excerpt, highlight, normalize, query_terms


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("الميزانيّة", "الميزانيه"),  # shadda
        ("مُخَطَّطُ العَمَلِ", "مخطط العمل"),  # damma, fatha, shadda, kasra
        ("كتابًا ومؤسسةٍ", "كتابا وموسسه"),  # tanwin
        ("هٰذا", "هذا"),  # superscript alef U+0670
        ("مـيـزانـيـة", "ميزانيه"),  # tatweel
        ("أحكام", "احكام"),
        ("إحداث", "احداث"),
        ("آفاق", "افاق"),
        ("ٱلمجلس", "المجلس"),  # alef wasla
        ("مستشفى", "مستشفي"),
        ("مؤسسة", "موسسه"),
        ("رئيس", "رييس"),
        ("الميزانية", "الميزانيه"),
        ("Échéancier", "echeancier"),
        ("ÉCOLE", "ecole"),
        ("Noël à l'hôpital", "noel a l'hopital"),
        ("e\u0301te\u0301", "ete"),  # accents typed as combining marks
        ("\u202bالميزانية\u202c", "الميزانيه"),  # embedding
        ("\u2067قرار\u2069 \u200fرقم\u200e", "قرار رقم"),  # isolate, marks
        ("  مخطط \t\n العمل  ", "مخطط العمل"),
        ("\ufef7", "لا"),  # NFKC: a presentation form ligature
        ("ﬁn", "fin"),  # NFKC: a Latin ligature
        ("سنة ٢٠٢٦", "سنه 2026"),  # Arabic-Indic digits
        ("", ""),
    ],
)
def test_it_normalizes(typed, normalized):
    assert normalize(typed) == normalized


def test_a_normalized_text_is_normalized_already():
    text = "المصادقة على مخطط عمل وميزانية مؤسسة التعاون الوطني برسم سنة 2026 — Échéancier"
    assert normalize(normalize(text)) == normalize(text)


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("والميزانية", ["ميزانيه"]),
        ("بالميزانية", ["ميزانيه"]),
        ("فالميزانية", ["ميزانيه"]),
        ("كالميزانية", ["ميزانيه"]),
        ("للتكوين", ["تكوين"]),
        ("الميزانيه", ["ميزانيه"]),
        ("وميزانية", ["ميزانيه"]),
        ("بمراكز", ["مراكز"]),
        ("لمؤسسة", ["موسسه"]),
        ("كمثال", ["مثال"]),
        ("فقرار", ["قرار"]),
        ("ولد", ["ولد"]),  # the stem would be two letters: kept whole
        ("الحق", ["الحق"]),
        ("مـيـزانيّة  2026", ["ميزانيه", "2026"]),
        ("l'Échéancier", ["echeancier"]),  # an elided article is a word of one letter, left out
        ("و الميزانية و", ["ميزانيه"]),
        ("ميزانية ميزانيه", ["ميزانيه"]),
        ("<script>", ["script"]),
        ("   ", []),
        ("؟!", []),
    ],
)
def test_it_makes_query_terms(query, terms):
    assert query_terms(query) == terms


def test_a_long_query_keeps_twenty_terms():
    assert len(query_terms(" ".join(f"كلمة{n}" for n in range(100)))) == 20


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("والميزانيّة", "وال<mark>ميزانيّة</mark>"),
        ("مـيـزانية", "<mark>مـيـزانية</mark>"),
        ("ميزانيةٌ كبيرة", "<mark>ميزانيةٌ</mark> كبيرة"),
        ("الميزانية والميزانية", "ال<mark>ميزانية</mark> وال<mark>ميزانية</mark>"),
    ],
)
def test_it_highlights_the_original_text(text, marked):
    assert highlight(text, ["ميزانيه"]) == marked


def test_it_highlights_french_with_its_accents():
    assert highlight("L'Échéancier adopté", ["echeancier"]) == "L&#x27;<mark>Échéancier</mark> adopté"


def test_highlighting_escapes_the_text():
    marked = highlight("<b>ميزانية</b> & <script>", query_terms("ميزانية script"))
    assert marked == "&lt;b&gt;<mark>ميزانية</mark>&lt;/b&gt; &amp; &lt;<mark>script</mark>&gt;"


def test_overlapping_matches_make_one_mark():
    assert highlight("الميزانية", ["ميزان", "زانيه"]) == "ال<mark>ميزانية</mark>"


def test_an_excerpt_is_cut_around_the_first_match():
    text = "كلام " * 100 + "الميزانية " + "كلام " * 100
    cut = excerpt(text, ["ميزانيه"], width=100)
    assert "ال<mark>ميزانية</mark>" in cut
    assert cut.startswith("… ") and cut.endswith(" …")
    assert len(cut) < 140
