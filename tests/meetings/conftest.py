"""Fixtures of the meetings' tests.

Rows made once for a whole module (`module_db`): signing the minutes takes most of a second, and most tests
that need published minutes only read them. Such a module opens one transaction for all its tests; each
test's own transaction nests in it as a savepoint, so what a test changes is undone before the next one,
and the module's rows when the module is done. The files the module's rows store (the signed PDFs) are
copied into each test's own media folder (`module_files`), where whatever the test writes stays its own.

For the signing tests (test_signing*.py, test_verify_hostile_files.py): the certificates, a stranger's
certificate, and minutes rendered and signed once for the run (their rows are made and rolled back inside
the fixture, so no transaction stays open for them).
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from meetings.minutes.pdf import render_minutes_pdf
from meetings.models import Session
from meetings.seal import demo_pki
from meetings.seal.signing import sign_pdf
from tests import factory
from tests.signing import OPENING, SIGN


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Path]:
    """One transaction open for the module, rolled back once it is done; the module's fixtures make their
    rows in it, in the site's default language as the tests do, storing their files in the folder it
    yields (copied into each test's by `module_files`).

    A module that uses it must not hold transactional tests (live_server, transaction=True). Its module
    fixtures must be asked for as the tests' arguments, never with request.getfixturevalue() inside a
    test: their rows would be made in the test's own transaction, and undone with it."""
    media = tmp_path_factory.mktemp("module-media")
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(MEDIA_ROOT=media),
        translation.override("ar"),
    ):
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def module_files(module_db, _media_root, settings) -> None:
    """The files stored by the module's rows, copied into the test's own media folder."""
    shutil.copytree(module_db, Path(settings.MEDIA_ROOT), dirs_exist_ok=True)


@pytest.fixture(scope="session")
def signing_files(signing_keys) -> dict:
    """The demo CA and institution certificate that `init_signing` made for the tests (tests/conftest.py),
    by the settings' names: a test that points the settings elsewhere gets them back (`signing_settings`)."""
    return {
        "SIGNING_PKCS12": signing_keys / "institution.p12",
        "SIGNING_TRUST_ROOTS": signing_keys / "ca.pem",
    }


@pytest.fixture
def signing_settings(settings, signing_files):
    """The settings name the signing files of `signing_files` for the test."""
    for name, value in signing_files.items():
        setattr(settings, name, value)


@pytest.fixture(scope="session")
def stranger(tmp_path_factory) -> dict:
    """Settings that sign as a forger would: a PKI under another CA, with its own timestamp authority and
    OCSP responder (answered by the tests' responder), whose seal certificate is named «التعاون الوطني»
    like the real one. Its trust roots are its own, for signing: checks keep the institution's."""
    folder = tmp_path_factory.mktemp("stranger")
    files = {"SIGNING_PKCS12": folder / "stranger.p12", "SIGNING_TRUST_ROOTS": folder / "stranger-ca.pem"}
    passphrase, url = "stranger-passphrase", settings.SIGNING_DEMO_PKI_URL
    demo_pki.install(
        *files.values(), url=url, passphrase=passphrase, ca_name="Autorité de certification inconnue"
    )
    return files | {"SIGNING_PASSPHRASE": passphrase}


@pytest.fixture(scope="session")
def minutes(django_db_setup, django_db_blocker, signing_files) -> dict:
    """Minutes rendered from a session made with the factory, unsigned and signed (bytes only: the tests
    that read them never change them)."""
    with django_db_blocker.unblock(), transaction.atomic():
        session = factory.session(factory.board(is_home=False), opening=OPENING)
        factory.agenda_item(session, 1, title="المصادقة على مخطط عمل سنة 2026")
        rendered = render_minutes_pdf(Session.objects.with_record().get(pk=session.pk))
        transaction.set_rollback(True)
    with override_settings(**signing_files):
        signed = sign_pdf(rendered, **SIGN)
    return {"pdf": rendered, "signed": signed}
