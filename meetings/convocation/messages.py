"""Every message the app sends about a session, composed in its reader's language and queued: the
convocation and its updates, the steps of the minutes, the comments and their answers, the reminders.

Every message is a `Message` row written in the transaction of the change that causes it, with the task
that sends it (`meetings.convocation.delivery.deliver`, a row of the same database): both are kept, or
neither. A member without an address gets a row too, marked unreachable, so that the secretariat sees whom
to call. Each is composed in its reader's language when it is queued, and kept as composed.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from ..models import Convocation, Document, Membership, Message, Session
from ..text.dates import moroccan_date
from .calendar import invitation, member_session_url
from .delivery import deliver
from .links import answer_url

Kind = Message.Kind


def queue(kind: str, seat: Membership | None, session: Session, **composing: Any) -> Message:
    """One message, composed now in its reader's language (`compose`), and its delivery queued: to the
    member of `seat`, or to the board's secretariat (its shared address, in Arabic) when `seat` is None."""
    message = compose(kind, seat, session, **composing)
    documents = composing.get("documents", ())
    message.save()
    if documents:
        message.documents.set(documents)
    if message.status == Message.Status.PENDING:
        deliver.enqueue(message.pk)
    return message


def compose(
    kind: str,
    seat: Membership | None,
    session: Session,
    *,
    convocation: Convocation | None = None,
    documents: Sequence[Document] = (),
    calendar: bool = False,
    **context: Any,
) -> Message:
    """The message `queue` sends, composed and not saved (what the convene page previews): its context is
    `context` with the board, the member's page and their link to answer."""
    member = seat.member if seat is not None else None
    language = member.language if member else settings.LANGUAGE_CODE
    address = member.email if member else session.board.secretariat_email
    with translation.override(language):
        url = member_session_url(session) if member else admin_session_url(session)
        context = {
            **context,
            "kind": kind,
            "member": member,
            "seat": seat,
            "session": session,
            "board": session.board,
            "convocation": convocation,
            "documents": documents,
            "url": url,
            # The member's own link to answer, with no account (meetings.convocation.links).
            "answer_url": answer_url(seat, session) if seat is not None and kind in ANSWERED_KINDS else "",
        }
        return Message(
            kind=kind,
            session=session,
            convocation=convocation if convocation is not None and convocation.pk else None,
            comment=context.get("comment"),
            member=member,
            address=address,
            language=language,
            subject=_subject(kind, session),
            text=render_to_string(f"meetings/mail/{_template(kind)}.txt", context),
            html=render_to_string(f"meetings/mail/{_template(kind)}.html", context),
            calendar=invitation(convocation, seat, url)
            if calendar and address and convocation is not None and seat is not None
            else "",
            status=Message.Status.PENDING if address else Message.Status.UNREACHABLE,
        )


CONVOCATION_KINDS = {
    Kind.CONVOCATION,
    Kind.CONVOCATION_UPDATE,
    Kind.CANCELLATION,
    Kind.CONVOCATION_WITHDRAWN,
    Kind.CONVOCATION_REMINDER,
}
COMMENT_KINDS = {Kind.COMMENT, Kind.REPLY}
# The messages that ask for an answer to the convocation, and so carry the member's link to give it.
ANSWERED_KINDS = {Kind.CONVOCATION, Kind.CONVOCATION_UPDATE, Kind.CONVOCATION_REMINDER}


WRITTEN_KINDS = {Kind.WRITTEN_CONSULTATION, Kind.WRITTEN_RESULT, Kind.WRITTEN_WITHDRAWN}


def _template(kind: str) -> str:
    if kind in CONVOCATION_KINDS:
        return "convocation"
    if kind in WRITTEN_KINDS:
        return "written"
    return "comment" if kind in COMMENT_KINDS else "minutes"


def _subject(kind: str, session: Session) -> str:
    subjects: dict[str, str] = {
        Kind.CONVOCATION: _("Convocation: %(session)s, %(date)s"),
        Kind.CONVOCATION_UPDATE: _("Convocation changed: %(session)s, %(date)s"),
        Kind.CANCELLATION: _("Session cancelled: %(session)s, %(date)s"),
        Kind.CONVOCATION_WITHDRAWN: _("No longer convened: %(session)s, %(date)s"),
        Kind.CONVOCATION_REMINDER: _("Reminder: %(session)s, %(date)s"),
        Kind.REVIEW: _("Draft minutes to review: %(session)s, %(date)s"),
        Kind.APPROVAL_AWAITED: _("Minutes awaiting your approval: %(session)s, %(date)s"),
        Kind.APPROVAL_REMINDER: _("Reminder, minutes awaiting your approval: %(session)s, %(date)s"),
        Kind.APPROVALS_WITHDRAWN: _("Approvals withdrawn, the record changed: %(session)s, %(date)s"),
        Kind.APPROVED: _("Minutes approved, to seal and publish: %(session)s, %(date)s"),
        Kind.PUBLISHED: _("Minutes signed and published: %(session)s, %(date)s"),
        Kind.COMMENT: _("New comment on the minutes: %(session)s, %(date)s"),
        Kind.REPLY: _("Your comment was answered: %(session)s, %(date)s"),
        Kind.WRITTEN_CONSULTATION: _("Written consultation, to answer by %(date)s: %(session)s"),
        Kind.WRITTEN_RESULT: _("Result of the written consultation: %(session)s"),
        Kind.WRITTEN_WITHDRAWN: _("Written consultation withdrawn: %(session)s"),
    }
    return subjects[kind] % {"session": session.title, "date": moroccan_date(session.date)}


def admin_session_url(session: Session) -> str:
    return settings.SITE_URL + reverse("admin:meetings_session_change", args=[session.pk])


def sent_summary(sent: list[Message]) -> str:
    """What the secretariat is told once a notice is queued: how many go out, and whom none reaches."""
    unreachable = [
        message.member.name
        for message in sent
        if message.status == Message.Status.UNREACHABLE and message.member is not None
    ]
    queued = len(sent) - len(unreachable)
    text = ngettext(
        "%(count)d message queued for sending.", "%(count)d messages queued for sending.", queued
    ) % {"count": queued}
    if unreachable:
        names = pgettext("list separator", ", ").join(unreachable)
        text += " " + _("No address, to be told otherwise: %(names)s.") % {"names": names}
    return text
