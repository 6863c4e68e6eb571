"""Two signatures of the same minutes at once (two clicks, two workers) make one signed file; a change to
the record while the minutes are being signed waits for the signature, and is refused.

The threads need to see each other's committed rows, hence a transactional test; it empties every table
when it ends, so the module puts back the rows the migrations made (tests/database.py)."""

import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from meetings.minutes import lifecycle
from meetings.models import AgendaItem, Minutes
from tests.actors import actors
from tests.database import put_back_migrated_rows
from tests.lifecycle_messages import FROZEN, not_possible

State = Minutes.State


pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite has no row locks and runs one write transaction at a time: two signatures cannot "
        "race there. The race runs on PostgreSQL (bash .ci/run).",
    ),
]


@pytest.fixture(scope="module", autouse=True)
def _migrated_rows_put_back(django_db_blocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        put_back_migrated_rows()


def signing_thread(minutes: Minutes, by, outcomes: list, n: int, barrier: threading.Barrier | None = None):
    """A thread that calls lifecycle.sign on its own connection and puts what it returned or raised in
    outcomes[n]; released by `barrier` when there is one."""

    def sign() -> None:
        translation.activate("ar")  # a thread starts without the test's language
        try:
            if barrier is not None:
                barrier.wait(timeout=30)
            outcomes[n] = lifecycle.sign(Minutes.objects.get(pk=minutes.pk), by=by)
        except Exception as error:  # reported by the test, whatever it is
            outcomes[n] = error
        finally:
            connection.close()  # each thread has its own connection; PostgreSQL must drop the test database

    return threading.Thread(target=sign)


def sign_at_once(minutes: Minutes, by, count: int = 2) -> list:
    """Call lifecycle.sign from `count` threads released together; what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count
    threads = [signing_thread(minutes, by, outcomes, n, barrier) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a signature never returned"
    return outcomes


def test_two_simultaneous_signatures_make_one():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)

    outcomes = sign_at_once(minutes, cast.secretary)

    signed = [o for o in outcomes if isinstance(o, Minutes)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(signed), len(refused)) == (1, 1), outcomes
    assert signed[0].state == State.SIGNED
    assert refused[0].messages == [not_possible(State.SIGNED)]


def test_the_stored_file_of_a_race_is_the_winners():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)

    outcomes = sign_at_once(minutes, cast.secretary)

    winner = next(o for o in outcomes if isinstance(o, Minutes))
    minutes.refresh_from_db()
    assert (minutes.sha256, minutes.pdf.name) == (winner.sha256, winner.pdf.name)
    with minutes.pdf.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == minutes.sha256
    assert minutes.transitions.filter(target=State.SIGNED).count() == 1


def test_a_race_stores_one_signed_file(settings):
    cast = actors()
    minutes = cast.minutes(State.APPROVED)

    sign_at_once(minutes, cast.secretary)

    assert len(list((Path(settings.MEDIA_ROOT) / "minutes" / "signed").rglob("*.pdf"))) == 1


def wait_until_locked(minutes: Minutes, signing: threading.Thread) -> None:
    """Return once another connection holds the minutes' row (the signature has started)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and signing.is_alive():
        try:
            with transaction.atomic():
                Minutes.objects.select_for_update(nowait=True).get(pk=minutes.pk)
        except DatabaseError:  # could not obtain the lock: the signature holds it
            return
        time.sleep(0.005)
    raise AssertionError("the signature never held the minutes' row")


def test_a_change_to_the_record_during_the_signature_waits_for_it_and_is_refused():
    cast = actors()
    minutes = cast.minutes(State.APPROVED)
    outcomes: list = [None]
    signing = signing_thread(minutes, cast.secretary, outcomes, 0)
    signing.start()
    try:
        wait_until_locked(minutes, signing)
        item = AgendaItem.objects.get(pk=cast.item.pk)
        item.title = "مشروع مخطط العمل المعدل"
        try:
            item.save()
        except ValidationError as refusal:
            change = refusal
        else:
            change = None
    finally:
        signing.join(timeout=120)

    assert isinstance(outcomes[0], Minutes), outcomes
    minutes.refresh_from_db()
    assert minutes.state == State.SIGNED
    assert change is not None, "the record changed under the signature"
    assert change.messages == [FROZEN]
    assert AgendaItem.objects.get(pk=cast.item.pk).title == cast.item.title
