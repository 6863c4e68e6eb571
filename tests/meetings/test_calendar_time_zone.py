"""The board's time zone as calendars read it. Morocco leaves UTC+1 for UTC+0 for about five weeks around
Ramadan, on dates that change every year: the calendars that the app sends and serves carry a VTIMEZONE
listing each change, and a calendar that knows the zone only from it (Mozilla Thunderbird's ical.js) puts
every session at the hour the time zone database gives."""

import datetime
import zoneinfo

import pytest
import time_machine

from tests import factory
from tests.mail import calendar_app_reading

pytestmark = pytest.mark.django_db

RABAT = zoneinfo.ZoneInfo("Africa/Casablanca")
# In Ramadan and out of it, for the years whose change icalendar's own VTIMEZONE leaves out (2027, 2028)
# and for others: the first and last days of a period at UTC+0 too.
DAYS = [
    datetime.date(2027, 1, 20),
    datetime.date(2027, 2, 8),
    datetime.date(2027, 2, 20),
    datetime.date(2027, 3, 13),
    datetime.date(2027, 3, 15),
    datetime.date(2027, 6, 1),
    datetime.date(2028, 1, 25),
    datetime.date(2028, 3, 1),
    datetime.date(2030, 12, 25),
]


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC), tick=False)
def test_the_calendar_feed_puts_each_session_at_its_hour_in_rabat_all_year(client):
    board = factory.board()
    for ordinal, day in enumerate(DAYS, start=1):
        factory.session(
            board, date=day, ordinal=ordinal, start_time=datetime.time(10), end_time=datetime.time(12)
        )

    read = calendar_app_reading(client.get("/sessions.ics").content.decode())

    starts = [event["start"] for event in read["events"]]
    expected = [
        datetime.datetime.combine(day, datetime.time(10), tzinfo=RABAT)
        .astimezone(datetime.UTC)
        .strftime("%Y-%m-%dT%H:%M:%S.000Z")
        for day in DAYS
    ]
    assert starts == expected
    assert {event["timezone"] for event in read["events"]} == {"Africa/Casablanca"}
    assert "2027-02-20T10:00:00.000Z" in starts and "2027-06-01T09:00:00.000Z" in starts  # UTC+0, then +1
