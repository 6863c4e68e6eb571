"""The public decisions register and its open data.

Only what the home board's published minutes signed is shown or exported: `PublishedResolution` and
`PublishedFollowUp`, made from the record of the latest published version of each session, never the
working rows a correction may be changing.

Open data, from the register's current filter (same query string as `/resolutions/`):

- `/resolutions.csv`: for people and spreadsheets. UTF-8 with a byte order mark (so that Excel reads Arabic),
  comma-separated, quoted by Python's csv module; headers and labels in the page's language; typed text
  that a spreadsheet would run as a formula is written after an apostrophe (`spreadsheet_text`). Columns:
  the number's three figures (year, session, resolution: «2025/2/1» in one cell would be read as a date by
  Excel), title, text, session, session date (ISO 8601), outcome, votes, responsible unit, due date
  (ISO 8601), latest follow-up status.
- `/resolutions.json`: for programs, a stable structure whatever the language (codes for the outcome and
  the follow-up status, ISO dates, absolute addresses), described by the JSON Schema
  `decisions/resolutions.schema.json`, served at `/resolutions.schema.json` and linked from the export's
  `Link: <…>; rel="describedby"` header.

`/sessions.ics` is an iCalendar feed of the upcoming public sessions, for a phone's calendar.

`/search/?q=` searches the published resolutions and the deliberations of the sessions whose minutes are
published (`/resolutions/?q=` the resolutions only, with the register's other filters): see
`meetings.text.search` for what a query matches.
"""

import csv
import datetime
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from meetings.convocation.calendar import add_timezones, calendar, session_event
from meetings.models import Board, PublishedAgendaItem, PublishedSession, Session
from meetings.models.published import last_publication
from meetings.pages.kept import kept_page
from meetings.text.bidi import without_bidi_controls
from meetings.text.languages import ReaderText, inline_html, reader_text
from meetings.text.search import excerpt, has_match, highlight, query_terms

from .models import NO_FOLLOW_UP, FollowUp, PublishedResolution, PublishedResolutionQuerySet
from .popolo import popolo

PAGE_SIZE = 25


class RegisterFilter(forms.Form):
    """The register's filter, read from the query string. Its choices are what the register holds, each
    list read from the database only when the form validates a value for it or shows it (an export
    filtered by outcome reads none). The sessions offered are those of one year, the year chosen (or
    the session's), else the latest: a board holds some fifty years of sessions, each a line of the
    page's HTML (a thousand sessions were two thirds of the page)."""

    q = forms.CharField(label=_("Search"), required=False, strip=True)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    session = forms.ChoiceField(label=_("Session"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", pgettext_lazy("masculine", "all")), *PublishedResolution.Outcome.choices],
    )
    status = forms.ChoiceField(
        label=_("Follow-up"),
        required=False,
        choices=[
            ("", pgettext_lazy("masculine", "all")),
            (NO_FOLLOW_UP, _("no follow-up yet")),
            *FollowUp.Status.choices,
        ],
    )
    unit = forms.ChoiceField(label=_("Responsible unit"), required=False)

    def __init__(self, data, published: PublishedResolutionQuerySet) -> None:
        super().__init__(data)
        sessions = PublishedSession.objects.public().filter(
            Exists(PublishedResolution.objects.filter(session=OuterRef("pk")))
        )
        everything = [("", pgettext_lazy("feminine", "all"))]  # the year, the session, the unit: toutes

        @functools.cache
        def years() -> list:
            held = sessions.order_by("-year").values_list("year", flat=True).distinct()
            return everything + [(year, year) for year in held]

        @functools.cache
        def sessions_of_the_year() -> list:
            year = _year_asked(data) or next((year for year, _ in years() if year), None)
            of_the_year = sessions.filter(year=year).order_by("-date", "-ordinal")
            return everything + [
                (f"{s.year}-{s.ordinal}", f"{s.title} — {s.display_date}") for s in of_the_year
            ]

        @functools.cache
        def units() -> list:
            named = (
                published.exclude(responsible_unit="")
                .order_by("responsible_unit")
                .values_list("responsible_unit", flat=True)
                .distinct()
            )
            # An option cannot hold a <bdi>; a bidi control in a unit's name is dropped (meetings.text.bidi).
            return everything + [(unit, without_bidi_controls(unit)) for unit in named]

        self._choice_field("year").choices = years
        self._choice_field("session").choices = sessions_of_the_year
        self._choice_field("unit").choices = units
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["class"] = "form-control form-control-sm"

    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # as declared above
        return field

    def apply(self, resolutions: PublishedResolutionQuerySet) -> PublishedResolutionQuerySet:
        """The resolutions the valid fields select; an invalid field (its message shown) selects nothing out."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("q"):
            resolutions = resolutions.search(query_terms(data["q"]))
        if data.get("year"):
            resolutions = resolutions.filter(session__year=data["year"])
        if data.get("session"):
            year, ordinal = data["session"].split("-")
            resolutions = resolutions.filter(session__year=year, session__ordinal=ordinal)
        if data.get("outcome"):
            resolutions = resolutions.filter(outcome=data["outcome"])
        if data.get("status") == NO_FOLLOW_UP:
            resolutions = resolutions.filter(latest_status__isnull=True)
        elif data.get("status"):
            resolutions = resolutions.filter(latest_status=data["status"])
        if data.get("unit"):
            resolutions = resolutions.filter(responsible_unit=data["unit"])
        return resolutions


def _year_asked(data) -> int | None:
    """The year the query string names, by itself or as a session's («2025-2»), if it names one."""
    for given in (data.get("year", ""), data.get("session", "").partition("-")[0]):
        if given.isascii() and given.isdigit() and len(given) == 4:
            return int(given)
    return None


def filtered(request: HttpRequest) -> tuple[RegisterFilter, PublishedResolutionQuerySet]:
    """The filter of the query string, and the public resolutions it selects, newest first."""
    published = PublishedResolution.objects.public()
    form = RegisterFilter(request.GET, published)
    return form, form.apply(published).newest_first()


def as_listed(resolutions: PublishedResolutionQuerySet) -> PublishedResolutionQuerySet:
    """What a line of the register or of an export shows: the resolution, its session, whether it is
    overdue today; newest first."""
    return resolutions.with_overdue(timezone.localdate()).select_related("session").newest_first()


class NarrowPaginator(Paginator):
    """Pages of `selected` chosen narrow, then read whole: a page's rows are picked among the selected
    ones sorted by their keys alone (a subquery), then only they are read with what `as_listed` adds.
    Sorting every row whole before the LIMIT (titles and texts in two languages) spilled to disk at
    20,000 resolutions and made the deep pages three times slower than the first."""

    def __init__(self, selected: PublishedResolutionQuerySet, per_page: int) -> None:
        super().__init__(selected.values("pk"), per_page)

    def page(self, number) -> Page:
        page = super().page(number)
        page.object_list = list(as_listed(PublishedResolution.objects.filter(pk__in=page.object_list)))
        return page


def _query_string(request: HttpRequest) -> str:
    """The current filter without the page number, for the pages' links and the exports."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# How long a browser or a proxy shows the register or a search without asking again (the next publication
# changes them); asked again, they answer 304 until then.
REGISTER_MAX_AGE = 300


def kept(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """`view`, a page of what the published minutes say (the register, the search), drawn once per
    publication, day (what is overdue), address and language, and answered 304 to a reader who has it:
    one query, which names the last publication, when nothing is drawn."""

    @functools.wraps(view)
    def page(request: HttpRequest) -> HttpResponse:
        latest = last_publication()
        asked = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        return kept_page(
            request,
            kind=view.__name__,
            version=f"{latest.row}:{timezone.localdate()}:{asked}",
            published_at=latest.at,
            max_age=REGISTER_MAX_AGE,
            draw=lambda: view(request),
        )

    return page


@kept
def register(request: HttpRequest) -> HttpResponse:
    form, resolutions = filtered(request)
    # A page number out of range gives the last page, a malformed one the first.
    page = NarrowPaginator(resolutions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": _query_string(request),
    }
    return render(request, "decisions/resolution_list.html", context)


def resolution_detail(request: HttpRequest, year: int, ordinal: int, sequence: int) -> HttpResponse:
    resolutions = (
        PublishedResolution.objects.public()
        .with_overdue(timezone.localdate())
        .select_related("session", "agenda_item")
    )
    resolution = get_object_or_404(
        resolutions, session__year=year, session__ordinal=ordinal, sequence=sequence
    )
    context = {
        "resolution": resolution,
        "follow_ups": resolution.follow_ups(),
    }
    return render(request, "decisions/resolution_detail.html", context)


# Search

SEARCH_LIMIT = 50


@kept
def search(request: HttpRequest) -> HttpResponse:
    """Published resolutions and deliberations holding every word of the query, the words highlighted.
    Each list stops at SEARCH_LIMIT, the page then asking for more words (and offering the register, which
    pages through every matching resolution): two queries whatever is found."""
    query = request.GET.get("q", "").strip()
    terms = query_terms(query)
    context: dict[str, Any] = {"query": query, "terms": terms, "limit": SEARCH_LIMIT}
    if terms:
        resolutions = (
            PublishedResolution.objects.public()
            .search(terms)
            .select_related("session")
            .newest_first()[: SEARCH_LIMIT + 1]
        )
        items = (
            PublishedAgendaItem.objects.public()
            .search(terms)
            .select_related("session")
            .order_by("-session__date", "-session__ordinal", "position")
        )
        context["resolutions"] = [
            {
                "resolution": resolution,
                "url": resolution.get_absolute_url(),
                "title": _found(resolution, "title", terms, highlight),
                "excerpt": _found(resolution, "text", terms, excerpt),
            }
            for resolution in resolutions
        ]
        context["items"] = [
            {
                "item": item,
                "url": f"{item.session.get_absolute_url()}#item-{item.position}",
                "title": _found(item, "title", terms, highlight),
                "excerpt": _found(item, "deliberation" if item.deliberation else "summary", terms, excerpt),
            }
            for item in items[: SEARCH_LIMIT + 1]
        ]
        context["more_resolutions"] = len(context["resolutions"]) > SEARCH_LIMIT
        context["more_items"] = len(context["items"]) > SEARCH_LIMIT
        context["resolutions"] = context["resolutions"][:SEARCH_LIMIT]
        context["items"] = context["items"][:SEARCH_LIMIT]
    return render(request, "decisions/search.html", context)


def _found(row, field: str, terms: list[str], show) -> SafeString:
    """A found row's text in the reader's language, its matches marked by `show` (highlight, excerpt);
    the Arabic original, said to be so, when the words were found in it and not in the French version."""
    found = reader_text(row, field)
    if found.language == "fr" and not has_match(found.text, terms) and has_match(getattr(row, field), terms):
        found = ReaderText(getattr(row, field), "ar", only_arabic=True)
    return inline_html(found, show(found.text, terms))


# Open data


def _bad_filter(form: RegisterFilter) -> HttpResponse:
    messages = [
        f"{form.fields[name].label}: {' '.join(str(error) for error in errors)}"
        for name, errors in form.errors.items()
    ]
    return HttpResponse("\n".join(messages), status=400, content_type="text/plain; charset=utf-8")


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


# A spreadsheet runs a cell starting with one of these as a formula («=HYPERLINK(…)» in a title would
# become a link, or worse, once the file is opened). Such a cell is written after an apostrophe, so that it
# opens as text (the apostrophe shows); the JSON export keeps every value exactly as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _Line:
    """What csv.writer writes to: the line it was given, handed back."""

    def write(self, line: str) -> str:
        return line


def resolutions_csv(request: HttpRequest) -> HttpResponseBase:
    """Streamed, a few hundred rows at a time, so that a worker's memory does not grow with the register
    (built whole, 20,000 resolutions took 173 MB and 3.6 s before the first byte)."""
    form, resolutions = filtered(request)
    if form.errors:
        return _bad_filter(form)
    response = StreamingHttpResponse(
        _csv_lines(as_listed(resolutions)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="entraide-resolutions.csv"'
    return response


def _csv_lines(resolutions: PublishedResolutionQuerySet) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"  # the byte order mark by which Excel recognises UTF-8
    yield writer.writerow(
        [
            gettext("Year"),
            gettext("Session number"),
            gettext("Resolution number"),
            gettext("Subject"),
            gettext("Subject in French"),
            gettext("Text"),
            gettext("Text in French"),
            gettext("Session"),
            gettext("Session date"),
            gettext("Outcome"),
            gettext("Votes"),
            gettext("Responsible unit"),
            gettext("Responsible unit in French"),
            gettext("Due date"),
            gettext("Latest follow-up"),
            gettext("Did not vote, having declared an interest"),
        ]
    )
    for r in resolutions.iterator(chunk_size=500):
        yield writer.writerow(
            [
                *r.number_parts,
                spreadsheet_text(r.title),
                spreadsheet_text(r.title_fr),
                spreadsheet_text(r.text),
                spreadsheet_text(r.text_fr),
                r.session.title,
                r.session.date.isoformat(),
                r.get_outcome_display(),
                r.votes_text,
                spreadsheet_text(r.responsible_unit),
                spreadsheet_text(r.responsible_unit_fr),
                _iso(r.due_date) or "",
                r.latest_status_label or gettext("no follow-up yet"),
                spreadsheet_text(gettext(", ").join(r.stood_aside_names())),
            ]
        )


def resolutions_json(request: HttpRequest) -> HttpResponseBase:
    """A JSON array, streamed one resolution at a time (see `resolutions_csv`)."""
    form, resolutions = filtered(request)
    if form.errors:
        return _bad_filter(form)
    response = StreamingHttpResponse(
        _json_array(_as_data(r) for r in as_listed(resolutions).iterator(chunk_size=500)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="entraide-resolutions.json"'
    response["Link"] = f'<{settings.SITE_URL}{reverse("decisions:resolutions_schema")}>; rel="describedby"'
    return response


def _json_array(items: Iterable[dict]) -> Iterator[str]:
    separator = "[\n"
    for item in items:
        yield separator + json.dumps(item, ensure_ascii=False, indent=1)
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


def _as_data(r: PublishedResolution) -> dict[str, Any]:
    """A resolution in the export's stable structure (decisions/resolutions.schema.json)."""
    return {
        "number": r.number,
        "title": r.title,
        "title_fr": r.title_fr,
        "text": r.text,
        "text_fr": r.text_fr,
        "session": r.session.title,
        "session_date": r.session.date.isoformat(),
        "outcome": r.outcome,
        "votes": {
            "unanimous": r.unanimous,
            "for": r.votes_for,
            "against": r.votes_against,
            "abstain": r.votes_abstain,
        },
        "responsible_unit": r.responsible_unit,
        "responsible_unit_fr": r.responsible_unit_fr,
        "due_date": _iso(r.due_date),
        "follow_up_status": r.latest_status,
        "stood_aside": r.stood_aside,
        "session_url": settings.SITE_URL + r.session.get_absolute_url(),
        "url": settings.SITE_URL + r.get_absolute_url(),
    }


@kept
def popolo_json(request: HttpRequest) -> HttpResponse:
    """The register as Popolo open data, with its extensions for proxies and declarations of interest
    (decisions.popolo; described by decisions/popolo.schema.json)."""
    board = Board.objects.home()
    if board is None:
        raise Http404
    response = HttpResponse(
        json.dumps(popolo(board), ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="entraide-popolo.json"'
    response["Link"] = f'<{settings.SITE_URL}{reverse("decisions:popolo_schema")}>; rel="describedby"'
    return response


RESOLUTIONS_SCHEMA = Path(__file__).with_name("resolutions.schema.json")
POPOLO_SCHEMA = Path(__file__).with_name("popolo.schema.json")


def resolutions_schema(request: HttpRequest) -> FileResponse:
    """The JSON Schema of `/resolutions.json`, for those who build on it."""
    return FileResponse(RESOLUTIONS_SCHEMA.open("rb"), content_type="application/schema+json")


def popolo_schema(request: HttpRequest) -> FileResponse:
    """The JSON Schema of `/resolutions.popolo.json`: Popolo's classes as this export fills them, and its
    extensions."""
    return FileResponse(POPOLO_SCHEMA.open("rb"), content_type="application/schema+json")


# The calendar


def sessions_ics(request: HttpRequest) -> HttpResponse:
    """Upcoming sessions the public site shows, with their agenda, for a calendar to subscribe to."""
    today = timezone.localdate()
    announced = Session.objects.agenda_public().filter(date__gte=today).prefetch_related("agenda_items")
    published = (
        PublishedSession.objects.public()
        .filter(date__gte=today)
        .select_related("minutes")
        .prefetch_related("agenda_items")
    )
    # (the session, as announced or as signed; its row's id, for the event's UID; when it last changed)
    events = [(s, s.pk, s.updated_at) for s in announced]
    events += [(p, p.session_id, p.minutes.published_at) for p in published]
    feed = calendar(gettext("Sessions of the administrative board"))
    for session, session_id, changed in sorted(events, key=lambda event: (event[0].date, event[0].ordinal)):
        url = settings.SITE_URL + session.get_absolute_url()
        feed.add_component(session_event(session, session_id, changed, url))
    add_timezones(feed)
    response = HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="entraide-sessions.ics"'
    return response
