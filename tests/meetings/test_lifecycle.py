"""The minutes' lifecycle (meetings/minutes/lifecycle.py): who moves them from draft to published, what is refused,
how every move is recorded, what the signed file shows.

Next to this file: the approvals (test_approvals.py), the record frozen by the signature
(test_frozen_record.py), the admin's buttons (test_lifecycle_admin.py), simultaneous signatures
(test_lifecycle_concurrency.py)."""

import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from meetings.minutes import lifecycle
from meetings.models import Minutes
from tests import factory, pdf
from tests.actors import actors
from tests.lifecycle_messages import (
    ALREADY_DRAFTING,
    ONLY_SECRETARIAT,
    REASON_TO_CORRECT,
    REASON_TO_RETURN,
    not_possible,
)

pytestmark = pytest.mark.django_db

State = Minutes.State
N = pdf.normalized

SITE_URL = "https://entraide.example.ma"


@pytest.fixture(scope="module")
def signed(module_db) -> SimpleNamespace:
    """Signed minutes (and their file's bytes) shared by the tests that only read them, try a move that is
    refused or make the next move (signing takes a second). Their board is not the home board, which the
    other tests' actors take; each test runs in a transaction of its own inside the module's, which undoes
    what the test changed."""
    cast = actors(home=False)
    with override_settings(SITE_URL=SITE_URL):
        minutes = cast.minutes(State.SIGNED)
    with minutes.pdf.open("rb") as stored:
        file = stored.read()
    return SimpleNamespace(cast=cast, pk=minutes.pk, file=file)


def fresh(signed) -> Minutes:
    return Minutes.objects.get(pk=signed.pk)


def published(signed) -> Minutes:
    """The module's signed minutes, published (in the test's own transaction, which undoes it)."""
    lifecycle.publish(fresh(signed), by=signed.cast.secretary)
    return fresh(signed)


def history(minutes: Minutes) -> list[tuple]:
    return [(t.source, t.target, t.by, t.reason) for t in minutes.transitions.all()]


# The secretariat's moves


def test_the_secretariat_starts_the_first_draft():
    cast = actors()

    minutes = lifecycle.start_version(cast.session, by=cast.secretary)

    minutes.refresh_from_db()
    assert (minutes.version, minutes.state, minutes.reason) == (1, State.DRAFT, "")
    assert cast.session.current_minutes() == minutes


def test_the_secretariat_submits_a_draft_for_review():
    cast = actors()
    minutes = cast.minutes(State.DRAFT)

    lifecycle.submit_for_review(minutes, by=cast.secretary)

    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW


@pytest.mark.parametrize("state", [State.IN_REVIEW, State.APPROVED])
def test_the_secretariat_returns_the_minutes_to_draft_with_a_reason(state):
    cast = actors()
    minutes = cast.minutes(state)

    lifecycle.return_to_draft(minutes, by=cast.secretary, reason="تصحيح أسماء الحاضرين")

    minutes.refresh_from_db()
    assert minutes.state == State.DRAFT


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_returning_to_draft_without_a_reason_is_refused(reason):
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)

    with pytest.raises(ValidationError) as refusal:
        lifecycle.return_to_draft(minutes, by=cast.secretary, reason=reason)

    assert refusal.value.messages == [REASON_TO_RETURN]
    minutes.refresh_from_db()
    assert minutes.state == State.IN_REVIEW


def test_the_secretariat_signs_approved_minutes_and_stores_the_file_with_its_sha256():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)

    lifecycle.sign(minutes, by=cast.secretary)

    minutes.refresh_from_db()
    assert minutes.state == State.SIGNED
    assert minutes.signed_at is not None
    with minutes.pdf.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == minutes.sha256


def test_the_secretariat_publishes_signed_minutes(signed):
    cast = signed.cast
    minutes = fresh(signed)

    lifecycle.publish(minutes, by=cast.secretary)

    minutes.refresh_from_db()
    assert minutes.state == State.PUBLISHED
    assert minutes.published_at is not None
    assert cast.session.published_minutes() == minutes


@pytest.mark.parametrize("state", [State.SIGNED, State.PUBLISHED])
def test_the_secretariat_starts_a_corrected_version_after_signature_with_a_reason(signed, state):
    cast = signed.cast
    latest = published(signed) if state == State.PUBLISHED else fresh(signed)

    correction = lifecycle.start_version(cast.session, by=cast.secretary, reason="خطأ مادي في اسم عضو")

    correction.refresh_from_db()
    assert (correction.version, correction.state, correction.reason) == (
        2,
        State.DRAFT,
        "خطأ مادي في اسم عضو",
    )
    latest.refresh_from_db()
    assert latest.state == state  # the signed version is kept as it was


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_corrected_version_without_a_reason_is_refused(signed, reason):
    cast = signed.cast

    with pytest.raises(ValidationError) as refusal:
        lifecycle.start_version(cast.session, by=cast.secretary, reason=reason)

    assert refusal.value.messages == [REASON_TO_CORRECT]
    assert cast.session.minutes_versions.count() == 1


@pytest.mark.parametrize("state", [State.DRAFT, State.IN_REVIEW, State.APPROVED])
def test_a_new_version_is_refused_while_the_latest_is_not_signed(state):
    cast = actors()
    cast.minutes(state)

    with pytest.raises(ValidationError) as refusal:
        lifecycle.start_version(cast.session, by=cast.secretary, reason="سبب")

    assert refusal.value.messages == [ALREADY_DRAFTING]
    assert cast.session.minutes_versions.count() == 1


# Refusals: who may not act


@pytest.mark.parametrize(
    ("state", "move"),
    [
        (None, lambda minutes, cast, who: lifecycle.start_version(cast.session, by=who)),
        (State.DRAFT, lambda minutes, cast, who: lifecycle.submit_for_review(minutes, by=who)),
        (State.IN_REVIEW, lambda minutes, cast, who: lifecycle.return_to_draft(minutes, by=who, reason="س")),
        (State.APPROVED, lambda minutes, cast, who: lifecycle.sign(minutes, by=who)),
    ],
    ids=["start", "submit", "return_to_draft", "sign"],
)
@pytest.mark.parametrize("who", ["member", "president", "outsider"])
def test_only_the_secretariat_moves_the_minutes_to_signature(state, move, who):
    cast = actors()
    minutes = cast.minutes(state) if state else None

    with pytest.raises(PermissionDenied) as refusal:
        move(minutes, cast, getattr(cast, who))

    assert str(refusal.value) == ONLY_SECRETARIAT
    assert cast.session.minutes_versions.count() == (1 if state else 0)
    if minutes is not None:
        minutes.refresh_from_db()
        assert minutes.state == state


@pytest.mark.parametrize(
    "move",
    [
        lambda minutes, who: lifecycle.publish(minutes, by=who),
        lambda minutes, who: lifecycle.start_version(minutes.session, by=who, reason="خطأ مادي"),
    ],
    ids=["publish", "new_version"],
)
@pytest.mark.parametrize("who", ["member", "president", "outsider"])
def test_only_the_secretariat_publishes_or_corrects_signed_minutes(signed, move, who):
    minutes = fresh(signed)

    with pytest.raises(PermissionDenied) as refusal:
        move(minutes, getattr(signed.cast, who))

    assert str(refusal.value) == ONLY_SECRETARIAT
    assert fresh(signed).state == State.SIGNED
    assert minutes.session.minutes_versions.count() == 1


# Refusals: what the state does not allow


def test_signing_minutes_in_review_is_refused():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)

    with pytest.raises(ValidationError) as refusal:
        lifecycle.sign(minutes, by=cast.secretary)

    assert refusal.value.messages == [not_possible(State.IN_REVIEW)]
    minutes.refresh_from_db()
    assert (minutes.state, minutes.sha256, minutes.pdf.name) == (State.IN_REVIEW, "", "")


@pytest.mark.parametrize(
    ("state", "shown"), [(State.IN_REVIEW, "قيد المراجعة"), (State.APPROVED, "مصادق عليه")]
)
def test_publishing_before_signature_is_refused(state, shown):
    cast = actors()
    minutes = cast.minutes(state)

    with pytest.raises(ValidationError) as refusal:
        lifecycle.publish(minutes, by=cast.secretary)

    assert refusal.value.messages == [not_possible(state)]
    minutes.refresh_from_db()
    assert (minutes.state, minutes.published_at) == (state, None)


def test_submitting_twice_is_refused():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)

    with pytest.raises(ValidationError) as refusal:
        lifecycle.submit_for_review(minutes, by=cast.secretary)

    assert refusal.value.messages == [not_possible(State.IN_REVIEW)]
    assert minutes.transitions.filter(target=State.IN_REVIEW).count() == 1


def test_signing_a_second_time_is_refused_and_keeps_the_first_signature(signed, settings):
    first = fresh(signed)

    with pytest.raises(ValidationError) as refusal:
        lifecycle.sign(first, by=signed.cast.secretary)

    assert refusal.value.messages == [not_possible(State.SIGNED)]
    again = fresh(signed)
    assert (again.pdf.name, again.sha256, again.signed_at) == (first.pdf.name, first.sha256, first.signed_at)
    assert again.sha256 == hashlib.sha256(signed.file).hexdigest()
    assert again.transitions.filter(target=State.SIGNED).count() == 1
    assert list(Path(settings.MEDIA_ROOT).rglob("*.pdf")) == []  # nothing rendered or stored


# The history


def test_every_move_is_recorded_with_its_source_target_author_and_reason():
    cast = actors()
    minutes = lifecycle.start_version(cast.session, by=cast.secretary)
    lifecycle.submit_for_review(minutes, by=cast.secretary)
    lifecycle.return_to_draft(minutes, by=cast.secretary, reason="تصحيح أسماء الحاضرين")
    lifecycle.submit_for_review(minutes, by=cast.secretary)
    factory.approve(minutes, by=cast.president)
    factory.approve(minutes, by=cast.rapporteur)
    lifecycle.sign(minutes, by=cast.secretary)
    lifecycle.publish(minutes, by=cast.secretary)

    assert history(minutes) == [
        ("", State.DRAFT, cast.secretary, ""),
        (State.DRAFT, State.IN_REVIEW, cast.secretary, ""),
        (State.IN_REVIEW, State.DRAFT, cast.secretary, "تصحيح أسماء الحاضرين"),
        (State.DRAFT, State.IN_REVIEW, cast.secretary, ""),
        (State.IN_REVIEW, State.APPROVED, cast.rapporteur, ""),
        (State.APPROVED, State.SIGNED, cast.secretary, ""),
        (State.SIGNED, State.PUBLISHED, cast.secretary, ""),
    ]


def test_a_corrected_version_starts_its_own_history_with_its_reason(signed):
    cast = signed.cast
    published(signed)

    correction = lifecycle.start_version(cast.session, by=cast.secretary, reason="خطأ مادي في اسم عضو")

    assert history(correction) == [("", State.DRAFT, cast.secretary, "خطأ مادي في اسم عضو")]


def test_a_refused_move_leaves_no_trace_in_the_history():
    cast = actors()
    minutes = cast.minutes(State.IN_REVIEW)
    before = history(minutes)

    with pytest.raises(ValidationError):
        lifecycle.return_to_draft(minutes, by=cast.secretary, reason="")
    with pytest.raises(PermissionDenied):
        lifecycle.return_to_draft(minutes, by=cast.member, reason="سبب")

    assert history(minutes) == before


# The signed file


def test_the_signed_pdf_names_both_signatories_in_its_signature_block(signed):
    text = N(pdf.text(signed.file))

    block = text[text.index(N("وبعد استنفاد جدول الأعمال، رفعت الجلسة.")) :]
    for label in ["رئيس المجلس الإداري", "نعيمة بن يحيى", "مقرر المجلس الإداري", "خطار المجاهدي"]:
        assert N(label) in block
    # Rendered once for their signatures, before they sign: it says how they sign, not when.
    assert block.count(N("بتوقيعه الإلكتروني")) == 2


def test_the_signed_pdf_prints_the_verification_address_with_the_versions_code(signed):
    text = N(pdf.text(signed.file))

    assert N(f"{SITE_URL}/verify/{fresh(signed).code}/") in text
