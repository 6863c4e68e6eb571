"""Sessions as iCalendar events (RFC 5545): the public feed of upcoming sessions, and the invitation
each convocation carries (RFC 5546: METHOD:REQUEST, then CANCEL), which a phone's or Outlook's calendar
adds, updates and removes as one event: one UID per session whatever its renumbering or language."""

import datetime
import functools
from collections import defaultdict
from email.utils import parseaddr
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from ..models import Convocation, Membership, PublishedSession, Session


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


def add_timezones(result: icalendar.Calendar) -> None:
    """The board's time zone as a VTIMEZONE, for the span of the calendar's events, put first."""
    starts = [event.decoded("dtstart") for event in result.walk("VEVENT")]
    days = [start.date() if isinstance(start, datetime.datetime) else start for start in starts]
    if days:
        result.subcomponents.insert(0, board_timezone(min(days), max(days)))


def board_timezone(first: datetime.date, last: datetime.date) -> icalendar.Timezone:
    """Every change of the board's UTC offset from a year before `first` to a year after `last`, found
    day by day and then to the minute in the time zone database, one RDATE line per change.

    Morocco's offset changes around Ramadan each year, for about five weeks: no rule (RRULE) describes it,
    and icalendar's own `add_missing_timezones` probes 64 days at a time, so that it misses some years
    (2024 and 2027 among them), which a calendar would then show an hour off. And calendars read one
    date per RDATE line: given a list on one line, Mozilla Thunderbird's library keeps the first only."""
    result = icalendar.Timezone()
    result.add("tzid", settings.TIME_ZONE)
    for (before, after, name, standard), moments in _offset_changes(first.year - 1, last.year + 1).items():
        observance = icalendar.TimezoneStandard() if standard else icalendar.TimezoneDaylight()
        observance.add("tzname", name)
        observance.add("dtstart", moments[0])
        observance.add("tzoffsetfrom", before)
        observance.add("tzoffsetto", after)
        for moment in moments[1:]:
            observance.add("rdate", moment)
        result.add_component(observance)
    return result


@functools.cache
def _offset_changes(first_year: int, last_year: int) -> dict[tuple, list[datetime.datetime]]:
    """(offset before, offset after, name, standard?) -> the local times, in the offset before, of each
    change of the board's offset over those years; worked out once per span (each invitation asks)."""
    zone = timezone.get_default_timezone()
    begin = datetime.datetime(first_year, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(last_year + 1, 1, 1, tzinfo=datetime.UTC)
    changes: dict[tuple, list[datetime.datetime]] = defaultdict(list)
    first_local = begin.astimezone(zone)
    changes[
        (first_local.utcoffset(), first_local.utcoffset(), first_local.tzname(), not first_local.dst())
    ].append(first_local.replace(tzinfo=None))
    day, minute = datetime.timedelta(days=1), datetime.timedelta(minutes=1)
    moment = begin
    while moment < end:
        before = moment.astimezone(zone).utcoffset()
        assert before is not None  # an aware time has an offset
        if (moment + day).astimezone(zone).utcoffset() != before:
            low, high = moment, moment + day  # the change is in (low, high]
            while high - low > minute:
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            after = high.astimezone(zone)
            key = (before, after.utcoffset(), after.tzname(), not after.dst())
            changes[key].append((high + before).replace(tzinfo=None, second=0, microsecond=0))
        moment += day
    return dict(changes)


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
    add_timezones(result)
    return result.to_ical().decode()


def member_session_url(session: Session) -> str:
    """The member's page of the session, in the active language (the login comes first if needed)."""
    return settings.SITE_URL + reverse("meetings:member_session", kwargs={"pk": session.pk})
