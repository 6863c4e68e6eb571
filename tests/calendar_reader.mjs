// Reads an iCalendar invitation (standard input) as Mozilla Thunderbird's calendar does, with ical.js,
// and prints what it made of it as JSON: the method, and each event with its start and end converted to
// UTC through the VTIMEZONE the invitation carries (ical.js has no time zone database of its own).
// Used by tests/mail.py (calendar_app_reading).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const person = (property) => property && ({
    address: property.getFirstValue(),
    cn: property.getParameter("cn") ?? null,
    role: property.getParameter("role") ?? null,
    rsvp: property.getParameter("rsvp") ?? null,
    partstat: property.getParameter("partstat") ?? null,
  });
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    summary: event.summary,
    location: event.location,
    timezone: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate ? event.endDate.toJSDate().toISOString() : null,
    organizer: person(component.getFirstProperty("organizer")) || null,
    attendees: component.getAllProperties("attendee").map(person),
  };
});
process.stdout.write(JSON.stringify({ method: calendar.getFirstPropertyValue("method"), events }));
