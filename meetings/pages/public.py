"""Public pages. A session is shown in full once its minutes are published, as their latest published
version signed it; by its agenda before, if the secretariat chose so; and otherwise not at all: a 404
exactly like a session that never was."""

from axes.helpers import get_client_ip_address
from django import forms
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.response import SimpleTemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import DetailView, ListView

from ..minutes.pdf import inline_disposition
from ..minutes.verification import (
    MESSAGES,
    STATUS,
    VERIFY_UPLOAD_OVERHEAD,
    Verdict,
    check_copy,
    seconds_to_the_next_minute,
    takes_a_turn,
)
from ..models import Minutes, PublishedSession, Session
from ..models.published import published_version
from ..seal.signing import MAX_VERIFY_BYTES
from .files import IMMUTABLE, Stored, file_response, remember
from .kept import kept_page


def public_sessions() -> list:
    """What the archive lists, newest first: the published sessions as signed, and the sessions whose
    agenda the secretariat made public before their minutes."""
    published = list(PublishedSession.objects.public())
    announced = list(Session.objects.agenda_public())
    return sorted([*published, *announced], key=lambda s: (s.date, s.ordinal), reverse=True)


class SessionArchive(ListView):
    template_name = "meetings/session_list.html"
    context_object_name = "sessions"

    def get_queryset(self):
        return public_sessions()


# How long a browser or a proxy keeps a published session's page without asking again: a correction
# published later takes the same address. Asked again, the page answers 304 while its version is the same.
PUBLISHED_PAGE_MAX_AGE = 300


class SessionDetail(DetailView):
    """A published session as its latest published version's record tells it (never the working rows,
    which a correction may be changing), rendered once per version and language; before publication, the
    agenda the secretariat made public."""

    template_name = "meetings/session_detail.html"
    context_object_name = "session"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Only what names the page (not the minutes' record, some 9 KB of JSON, which a page drawn from the
        # cache never reads; one more query reads it when the page is drawn).
        self.version = published_version(kwargs["year"], kwargs["ordinal"])
        if self.version is None or request.GET:
            return super().get(request, *args, **kwargs)
        return kept_page(
            request,
            kind="published-session-page",
            # The version, and its newest file (archival maintenance renews it), which the page links to.
            version=f"{self.version.sha256}:{self.version.newest_file}",
            published_at=self.version.published_at,
            max_age=PUBLISHED_PAGE_MAX_AGE,
            draw=lambda: self._drawn(request, *args, **kwargs),
        )

    def _drawn(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        assert isinstance(response, SimpleTemplateResponse)  # a DetailView's
        return response.render()

    def get_object(self, queryset=None):
        self.minutes = None
        if self.version is not None:
            # The page is drawn: the whole version now, its record with it (get() read only its hash).
            self.minutes = Minutes.objects.select_related("session").get(pk=self.version.minutes_id)
            return self.minutes.signed_session()
        number = {"year": self.kwargs["year"], "ordinal": self.kwargs["ordinal"]}
        return get_object_or_404(Session.objects.agenda_public().prefetch_related("agenda_items"), **number)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["minutes"] = minutes = self.minutes
        context["newest_file"] = self.version.newest_file if self.version else None
        if minutes is not None:
            context["quorum"] = minutes.signed_quorum()
        return context


def signed_pdf_response(
    request: HttpRequest, minutes: Minutes, number: Session, *, max_age: int, newest: bool
) -> HttpResponseBase:
    """A stored file, byte for byte: the signed original, or (`newest`) its newest archived copy, which
    archival maintenance extended; strong ETag (its SHA-256), cacheable, an Arabic file name."""
    stored = minutes.newest_copy() if newest else minutes
    return file_response(request, _stored(stored, minutes, number), f"public, max-age={max_age}")


def _stored(stored, minutes: Minutes, number: Session) -> Stored:
    """A file of `minutes` (the version, or an archived copy of it), named for the reader."""
    return Stored(stored.pdf.name, stored.sha256, inline_disposition(number, version=minutes.version))


def _signed_number(row) -> Session:
    """The session's number as the version signed it (`_downloaded`), whatever a correction does to the
    working rows: the file's name."""
    return Session(year=int(row.signed_year), ordinal=int(row.signed_ordinal))


def _downloaded(prefix: str = "") -> dict:
    """What a download reads of its version besides its own columns: the session's number as signed,
    two figures taken from the record's JSON in the database, rather than the whole record (some 9 KB)
    fetched and decoded for them (`prefix` is the path to the version from the rows queried)."""
    session = KeyTransform("session", f"{prefix}record")
    return {
        "signed_year": KeyTextTransform("year", session),
        "signed_ordinal": KeyTextTransform("ordinal", session),
    }


def session_minutes_pdf(request: HttpRequest, year: int, ordinal: int) -> HttpResponseBase:
    """The session's latest published minutes, as the archive last extended them (their timestamps
    renewed); a later correction or renewal replaces them here, hence a short cache."""
    published = get_object_or_404(
        PublishedSession.objects.public()
        .select_related("minutes")
        .defer("minutes__record")
        .annotate(**_downloaded("minutes__")),
        year=year,
        ordinal=ordinal,
    )
    return signed_pdf_response(
        request, published.minutes, _signed_number(published), max_age=300, newest=True
    )


def minutes_version_pdf(request: HttpRequest, code: str) -> HttpResponseBase:
    """One published version for good (superseded ones included), as it was signed: its bytes never
    change."""
    minutes = get_object_or_404(Minutes.objects.public().defer("record").annotate(**_downloaded()), code=code)
    return signed_pdf_response(
        request, minutes, _signed_number(minutes), max_age=365 * 24 * 3600, newest=False
    )


def minutes_file_pdf(request: HttpRequest, code: str, sha256: str) -> HttpResponseBase:
    """One stored file of a published version, named by its hash: the PDF as signed or one of its
    archived copies. Its bytes never change: a year's immutable cache, and this server remembers it for
    the middleware that answers it next time without a query (meetings.pages.files)."""
    minutes = get_object_or_404(Minutes.objects.public().defer("record").annotate(**_downloaded()), code=code)
    if minutes.sha256 == sha256:
        stored = _stored(minutes, minutes, _signed_number(minutes))
    else:
        copy = get_object_or_404(minutes.archived_copies.only("pdf", "sha256"), sha256=sha256)
        stored = _stored(copy, minutes, _signed_number(minutes))
    remember(request.path_info, stored)
    return file_response(request, stored, IMMUTABLE)


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("The PDF to check"))


@csrf_exempt  # the CSRF check reads the body: `_verify` makes it once the body is known to be worth reading
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone uploads a PDF and learns whether it is authentic published minutes, modified, or unknown.
    A body announced above the largest file checked is refused before it is read (413), an address
    that has had its share of checks this minute waits (429), and so does everyone while the server runs
    as many checks as it takes at once (503)."""
    if request.method == "POST":
        refusal = None
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_VERIFY_BYTES + VERIFY_UPLOAD_OVERHEAD:
            refusal = Verdict("too_large")
        elif not takes_a_turn(get_client_ip_address(request) or ""):
            refusal = Verdict("too_many")
        if refusal is not None:
            return _verify_page(request, VerifyForm(), refusal)
    return _verify(request)


@csrf_protect
def _verify(request: HttpRequest) -> HttpResponse:
    verdict = None
    # Bound on any POST, even one without a file (`request.POST or None` would leave it unbound, silent).
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    if form.is_valid():
        upload = form.cleaned_data["file"]
        # Read one byte past the limit: enough to know the file is too large, never more.
        verdict = check_copy(upload.read(MAX_VERIFY_BYTES + 1))
    return _verify_page(request, form, verdict)


def _verify_page(request: HttpRequest, form: VerifyForm, verdict: Verdict | None) -> HttpResponse:
    context = {"form": form, "verdict": verdict, "messages_by_outcome": MESSAGES}
    response = render(
        request, "meetings/verify.html", context, status=STATUS.get(verdict.outcome, 200) if verdict else 200
    )
    if response.status_code == 503:
        response["Retry-After"] = "60"
    elif response.status_code == 429:
        response["Retry-After"] = str(seconds_to_the_next_minute())
    return response


def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """Where the QR code printed in the minutes leads: which session and version, published or superseded."""
    minutes = get_object_or_404(
        Minutes.objects.public().select_related("session__board"),
        code=code,
    )
    return render(
        request,
        "meetings/verify.html",
        {
            "form": VerifyForm(),
            "minutes": minutes,
            "superseded_by": minutes.superseded_by(published_only=True),
        },
    )
