"""Fixtures of the signing tests (test_signing*.py, test_verify_hostile_files.py): the certificates, a
stranger's certificate, and minutes rendered and signed once per module.

The minutes' database rows are made and rolled back inside the fixture, so no transaction stays open across
the module.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from meetings.management.commands.init_signing import make_ca, make_signing_certificate, pkcs12_bytes
from meetings.models import Session
from meetings.pdf import render_minutes_pdf
from meetings.signing import sign_pdf
from tests import factory
from tests.signing import OPENING, SIGN


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory) -> dict:
    """The demo CA and institution certificate, made by `init_signing` in a temporary folder."""
    folder = tmp_path_factory.mktemp("signing")
    files = {"SIGNING_PKCS12": folder / "institution.p12", "SIGNING_TRUST_ROOTS": folder / "ca.pem"}
    with override_settings(**files):
        call_command("init_signing", stdout=io.StringIO())
    return files


@pytest.fixture(scope="session")
def stranger(tmp_path_factory) -> dict:
    """Settings for a certificate issued by another self-made CA, which the trust roots do not list."""
    folder = tmp_path_factory.mktemp("stranger")
    ca_key, ca_cert = make_ca("Autorité de certification inconnue")
    key, cert = make_signing_certificate(ca_key, ca_cert)
    (folder / "stranger.p12").write_bytes(pkcs12_bytes(key, cert, [ca_cert], "stranger-passphrase"))
    return {"SIGNING_PKCS12": folder / "stranger.p12", "SIGNING_PASSPHRASE": "stranger-passphrase"}


@pytest.fixture(scope="module")
def minutes(django_db_setup, django_db_blocker, signing_files) -> dict:
    """Minutes rendered from a session made with the factory, unsigned and signed."""
    with django_db_blocker.unblock(), transaction.atomic():
        session = factory.session(factory.board(is_home=False), opening=OPENING)
        factory.agenda_item(session, 1, title="المصادقة على مخطط عمل سنة 2026")
        rendered = render_minutes_pdf(Session.objects.with_record().get(pk=session.pk))
        transaction.set_rollback(True)
    with override_settings(**signing_files):
        signed = sign_pdf(rendered, **SIGN)
    return {"pdf": rendered, "signed": signed}
