"""Quorum not reached: the second convocation, a new session that holds again a session whose recorded
attendance did not reach the quorum."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Session
from .convening import require_secretariat

# What a second convocation takes of each agenda item, the French versions with the Arabic.
AGAIN_ITEM = ("title", "title_fr", "presenter", "presenter_fr", "summary", "summary_fr")


def needs_second_call(session: Session) -> bool:
    """A held session whose recorded attendance does not reach the quorum, not yet called again."""
    return (
        session.cancelled_at is None
        and session.date <= timezone.localdate()
        and session.attendances.exists()
        and not session.quorum().reached
        and not Session.objects.filter(second_call_of=session).exists()
    )


@transaction.atomic
def second_call(
    session: Session,
    *,
    by: User,
    date: datetime.date,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    place: str = "",
) -> Session:
    """The session that holds again one whose quorum was not reached: the same kind and agenda (its
    documents too), numbered in its own year, with the board's quorum on second convocation. It is then
    convened like any session, from its own page."""
    require_secretariat(by)
    session = Session.objects.select_for_update().select_related("board").get(pk=session.pk)
    if not needs_second_call(session):
        raise ValidationError(
            _(
                "A second convocation is for a held session whose recorded attendance did not reach the quorum, once."
            ),
            code="no_second_call",
        )
    if date <= session.date:
        raise ValidationError({"date": _("The second convocation comes after the first session.")})
    last = Session.objects.filter(board=session.board, year=date.year).order_by("-ordinal").first()
    again = Session.objects.create(
        board=session.board,
        kind=session.kind,
        ordinal=(last.ordinal if last else 0) + 1,
        date=date,
        start_time=start_time,
        end_time=end_time,
        place=place or session.place,
        chair=session.chair,
        is_public=session.is_public,
        second_call_of=session,
    )
    items = {}
    for item in session.agenda_items.all():
        items[item.pk] = again.agenda_items.create(
            position=item.position,
            **{name: getattr(item, name) for name in AGAIN_ITEM},
        )
    for document in session.documents.all():
        again.documents.create(
            title=document.title,
            title_fr=document.title_fr,
            file=document.file.name,
            agenda_item=items.get(document.agenda_item_id),
        )
    return again
