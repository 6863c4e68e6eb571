"""Every string the app shows is translated, in Arabic and in French: the catalogues are extracted afresh
from the code and templates (`makemessages`, in a copy of the project) and must hold no empty and no
fuzzy entry; the compiled catalogues the app reads must say the same as the committed ones."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ar", "fr")


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
def test_the_compiled_catalogue_says_what_the_committed_one_says(language):
    folder = ROOT / "locale" / language / "LC_MESSAGES"
    written = as_pairs(read_po((folder / "django.po").open("rb"), locale=language))
    compiled = as_pairs(read_mo((folder / "django.mo").open("rb")))
    assert compiled == {key: value for key, value in written.items() if key in compiled}
    assert set(written) <= set(compiled), "run `make messages`: django.mo lacks strings of django.po"


# French sets a space before the two-part punctuation marks (« : », « ; », « ? », « ! »); a URL's «https:»
# is not punctuation.
TIGHT_FRENCH_PUNCTUATION = re.compile(r"[^\s\u00a0\u202f(«][:;!?](?=\s|$)")
# A label followed by a colon typed in the template rather than in the translation: «Échéance:».
COLON_AFTER_TRANSLATION = re.compile(r"{% translate \"[^\"]+\" %}:")


def test_the_french_catalogue_spaces_its_punctuation():
    catalogue = read_po((ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po").open("rb"), locale="fr")
    tight = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        tight += [
            s for s in strings if message.id and TIGHT_FRENCH_PUNCTUATION.search(re.sub("https?:", "", s))
        ]
    assert tight == []


def test_no_template_types_a_colon_after_a_translated_label():
    typed = [
        f"{path.relative_to(ROOT)}: {match.group()}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in COLON_AFTER_TRANSLATION.finditer(path.read_text())
    ]
    assert typed == []
