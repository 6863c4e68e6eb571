"""Past the models, PostgreSQL refuses public rows made outside a publication: what the register and the
search read of a session is inserted or deleted only by the transaction that publishes it (decisions'
migration 0009). Transactional: the publication is committed before the forgery is tried."""

import datetime
from collections.abc import Iterator

import pytest
from django.db import IntegrityError, connection, transaction

from decisions.models import PublishedResolution
from meetings.models import PublishedAgendaItem, PublishedSession
from tests import factory
from tests.database import put_back_migrated_rows

DELIBERATION = "تداول المجلس في مشروع مخطط العمل وصادق عليه"
WORD = "الزعفران"

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The triggers that keep the public rows as published are PostgreSQL's (decisions' migration "
    "0009); SQLite, for development and the demo, relies on the models. They run in bash .ci/run.",
)


@pytest.fixture(scope="module", autouse=True)
def _migrated_rows_put_back(django_db_blocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        put_back_migrated_rows()


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_refuses_public_rows_made_outside_a_publication(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    session = factory.session(factory.board(), datetime.date(2025, 12, 18), 2)
    factory.agenda_item(session, 1, deliberation=DELIBERATION)
    factory.publish(session)  # committed: its transaction is over
    published = PublishedSession.objects.get(session=session)

    with pytest.raises(IntegrityError, match="made by its publication only"), transaction.atomic():
        PublishedResolution.objects.create(session=published, sequence=9, title=WORD, text=WORD)
    with pytest.raises(IntegrityError, match="made by its publication only"), transaction.atomic():
        PublishedAgendaItem.objects.filter(session=published).delete()
    with pytest.raises(IntegrityError, match="made by its publication only"), transaction.atomic():
        PublishedSession.objects.create(
            session=factory.session(session.board, datetime.date(2026, 6, 20), 1),
            minutes=published.minutes,
            board=session.board,
            year=2026,
            ordinal=1,
            date=datetime.date(2026, 6, 20),
        )

    assert list(PublishedAgendaItem.objects.values_list("deliberation", flat=True)) == [DELIBERATION]
    assert not PublishedResolution.objects.filter(title=WORD).exists()
