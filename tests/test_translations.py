"""Every string the app shows is translated, in Arabic and in French: the catalogues are extracted afresh
from the code and templates (`makemessages`, in a copy of the project) and must hold no empty and no
fuzzy entry; the compiled catalogues the app reads must say the same as the committed ones. The same for
the catalogue of overrides of Django's own strings (entraide/locale_overrides), whose every msgid must
still be one of Django's. French typography throughout: ’, « » and ; : ! ? with narrow no-break spaces."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import django
import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ar", "fr")
# The project's catalogue, and the one that overrides Django's own strings (settings.LOCALE_PATHS).
CATALOGUES = (ROOT / "locale", ROOT / "entraide" / "locale_overrides")
OVERRIDES = CATALOGUES[1]


def untranslated(po: Path, language: str) -> list[str]:
    catalogue = read_po(po.open("rb"), locale=language)
    missing = []
    for message in catalogue:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def as_pairs(catalogue) -> dict:
    """(context, msgid) -> msgstr, plural ones as tuples; the header left out."""
    return {(m.context, _frozen(m.id)): _frozen(m.string) for m in catalogue if m.id}


def _frozen(value):
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The project's catalogues as `make messages` would leave them after extracting today's strings."""
    copy = tmp_path_factory.mktemp("project")
    for name in ("manage.py", "entraide", "meetings", "decisions", "templates", "locale"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ar", "-l", "fr", "-v", "0"],
        cwd=copy,
        env={**os.environ, "DEBUG": "1"},
        check=True,
        timeout=120,
    )
    return copy / "locale"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_of_the_code_and_templates_is_translated(extracted, language):
    assert untranslated(extracted / language / "LC_MESSAGES" / "django.po", language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_override_of_a_django_string_is_translated(language):
    assert untranslated(OVERRIDES / language / "LC_MESSAGES" / "django.po", language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_override_is_of_a_string_django_still_has(language):
    """A msgid that a new version of Django words differently would silently stop overriding."""
    djangos = set()
    for po in Path(django.__file__).parent.glob(f"**/locale/{language}/LC_MESSAGES/django.po"):
        djangos |= {key for key in as_pairs(read_po(po.open("rb"), locale=language))}
    overrides = as_pairs(
        read_po((OVERRIDES / language / "LC_MESSAGES" / "django.po").open("rb"), locale=language)
    )
    assert set(overrides) - djangos == set()


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=("project", "overrides"))
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_says_what_the_committed_one_says(language, catalogue):
    folder = catalogue / language / "LC_MESSAGES"
    written = as_pairs(read_po((folder / "django.po").open("rb"), locale=language))
    compiled = as_pairs(read_mo((folder / "django.mo").open("rb")))
    assert compiled == {key: value for key, value in written.items() if key in compiled}
    assert set(written) <= set(compiled), "run `make messages`: django.mo lacks strings of django.po"


# French sets a space before the two-part punctuation marks (« : », « ; », « ? », « ! »); a URL's «https:»
# is not punctuation.
TIGHT_FRENCH_PUNCTUATION = re.compile(r"[^\s\u00a0\u202f(«][:;!?](?=\s|$)")
# A label followed by a colon typed in the template rather than in the translation: «Échéance:».
COLON_AFTER_TRANSLATION = re.compile(r"{% translate \"[^\"]+\" %}:")


def french_strings(catalogue: Path) -> list[str]:
    messages = read_po((catalogue / "fr" / "LC_MESSAGES" / "django.po").open("rb"), locale="fr")
    return [s for m in messages if m.id for s in (m.string if isinstance(m.string, tuple) else (m.string,))]


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=("project", "overrides"))
def test_the_french_catalogue_spaces_its_punctuation(catalogue):
    tight = [
        s for s in french_strings(catalogue) if TIGHT_FRENCH_PUNCTUATION.search(re.sub("https?:", "", s))
    ]
    assert tight == []


# French typography, the same in every string: the apostrophe ’ (not the typewriter's '), and a narrow
# no-break space (U+202F) inside « » and before ; : ! ?, never a plain or a wide no-break one, so that
# a line never starts with the mark, and one only. Inside an HTML tag (an attribute's quotes) nothing is
# French.
STRAY_FRENCH_TYPOGRAPHY = re.compile(r"'|«(?!\u202f)|(?<!\u202f)»|[ \u00a0][;:!?]|\u202f\u202f")


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=("project", "overrides"))
def test_the_french_catalogue_uses_french_apostrophes_and_narrow_spaces(catalogue):
    stray = [
        s for s in french_strings(catalogue) if STRAY_FRENCH_TYPOGRAPHY.search(re.sub(r"<[^>]*>", "", s))
    ]
    assert stray == []


def test_no_template_types_a_colon_after_a_translated_label():
    typed = [
        f"{path.relative_to(ROOT)}: {match.group()}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in COLON_AFTER_TRANSLATION.finditer(path.read_text())
    ]
    assert typed == []
