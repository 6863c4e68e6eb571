"""Sessions as iCalendar events (RFC 5545): the public feed of upcoming sessions, and the invitation
each convocation carries (RFC 5546: METHOD:REQUEST, then CANCEL), which a phone's or Outlook's calendar
adds, updates and removes as one event: one UID per session whatever its renumbering or language."""

import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from .models import Convocation, Membership, PublishedSession, Session


def session_uid(session_id: int) -> str:
    return f"session-{session_id}@{urlsplit(settings.SITE_URL).hostname}"


def calendar(name: str = "", method: str = "") -> icalendar.Calendar:
    result = icalendar.Calendar()
    result.add("prodid", "-//Entraide Nationale//Administrative board sessions//AR")
    result.add("version", "2.0")
    if method:
        result.add("method", method)
    if name:
        result.add("x-wr-calname", name)
        result.add("x-wr-timezone", settings.TIME_ZONE)
    return result


def session_event(
    session: Session | PublishedSession, session_id: int, changed: datetime.datetime, url: str
) -> icalendar.Event:
    """The session at its date and hours in the board's time zone (all day while the hours are unknown),
    its place and its agenda."""
    board_time = timezone.get_default_timezone()
    event = icalendar.Event()
    event.add("uid", session_uid(session_id))
    event.add("dtstamp", timezone.now())
    event.add("last-modified", changed)
    if session.start_time:
        event.add("dtstart", datetime.datetime.combine(session.date, session.start_time, tzinfo=board_time))
        if session.end_time:
            event.add("dtend", datetime.datetime.combine(session.date, session.end_time, tzinfo=board_time))
    else:
        event.add("dtstart", session.date)
        event.add("dtend", session.date + datetime.timedelta(days=1))
    event.add("summary", session.title)
    if session.place:
        event.add("location", session.place)
    agenda = [f"{item.position}. {item.title}" for item in session.agenda_items.all()]
    if agenda:
        event.add("description", "\n".join(agenda))
    event.add("url", url)
    return event


def invitation(convocation: Convocation, seat: Membership, url: str) -> str:
    """The convocation as one member's calendar reads it, in the active language: organized by the
    secretariat, the member invited to answer (RSVP), advisory seats as optional participants."""
    session, member = convocation.session, seat.member
    cancel = convocation.method == Convocation.Method.CANCEL
    result = calendar(method="CANCEL" if cancel else "REQUEST")
    event = session_event(session, session.pk, convocation.sent_at, url)
    event.add("sequence", convocation.sequence)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = icalendar.vCalAddress(
        f"mailto:{seat.board.secretariat_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}"
    )
    organizer.params["cn"] = gettext("Secretariat of the board")
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{member.email}")
    attendee.params["cn"] = member.name
    attendee.params["role"] = "REQ-PARTICIPANT" if seat.has_vote else "OPT-PARTICIPANT"
    attendee.params["partstat"] = "NEEDS-ACTION"
    attendee.params["rsvp"] = "TRUE"
    event.add("attendee", attendee)
    result.add_component(event)
    result.add_missing_timezones()
    return result.to_ical().decode()


def member_session_url(session: Session) -> str:
    """The member's page of the session, in the active language (the login comes first if needed)."""
    return settings.SITE_URL + reverse("meetings:member_session", kwargs={"pk": session.pk})
