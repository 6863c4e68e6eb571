"""Public pages. A session is shown in full once its minutes are published, by its agenda before if the
secretariat chose so, and otherwise not at all: a 404 exactly like a session that never was."""

from django import forms
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from .models import Minutes, Session
from .pdf import inline_disposition
from .signing import MAX_VERIFY_BYTES
from .verification import MESSAGES, check_copy


class PublicSessionMixin:
    """Owns the queryset of every public page: public sessions with what their pages show."""

    def get_queryset(self):
        return Session.objects.public().select_related("board", "chair")


class SessionArchive(PublicSessionMixin, ListView):
    template_name = "meetings/session_list.html"
    context_object_name = "sessions"


class SessionDetail(PublicSessionMixin, DetailView):
    """A published session as its latest published version's record tells it (never the working rows,
    which a correction may be changing); before publication, the agenda the secretariat made public."""

    template_name = "meetings/session_detail.html"
    context_object_name = "session"

    def get_object(self, queryset=None):
        session = get_object_or_404(
            self.get_queryset(), year=self.kwargs["year"], ordinal=self.kwargs["ordinal"]
        )
        self.minutes = session.published_minutes()
        if self.minutes is not None:
            return self.minutes.signed_session()
        prefetch_related_objects([session], "agenda_items")
        return session

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["minutes"] = self.minutes
        if self.minutes is not None:
            context["quorum"] = self.minutes.signed_quorum()
        return context


def signed_pdf_response(request: HttpRequest, minutes: Minutes, *, max_age: int) -> HttpResponse:
    """The stored signed file, byte for byte: strong ETag (its SHA-256), cacheable, an Arabic file name."""
    etag = f'"{minutes.sha256}"'
    cache_control = f"public, max-age={max_age}"
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        # RFC 9110 (15.4.5): a 304 repeats the ETag and Cache-Control that the 200 would send.
        not_modified["ETag"] = etag
        not_modified["Cache-Control"] = cache_control
        return not_modified
    response = FileResponse(minutes.pdf.open("rb"), content_type="application/pdf")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["Content-Disposition"] = inline_disposition(minutes.session, version=minutes.version)
    return response


def session_minutes_pdf(request: HttpRequest, year: int, ordinal: int) -> HttpResponse:
    """The session's latest published minutes; a later correction replaces them here, hence a short cache."""
    session = get_object_or_404(Session.objects.public(), year=year, ordinal=ordinal)
    minutes = session.published_minutes()
    if minutes is None:
        raise Http404
    return signed_pdf_response(request, minutes, max_age=300)


def minutes_version_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """One published version for good (superseded ones included): its bytes never change."""
    minutes = get_object_or_404(
        Minutes.objects.published().select_related("session").filter(session__board__is_home=True), code=code
    )
    return signed_pdf_response(request, minutes, max_age=365 * 24 * 3600)


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("The PDF to check"))


def verify(request: HttpRequest) -> HttpResponse:
    """Anyone uploads a PDF and learns whether it is authentic published minutes, modified, or unknown."""
    verdict = None
    # Bound on any POST, even one without a file (`request.POST or None` would leave it unbound, silent).
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    if form.is_valid():
        upload = form.cleaned_data["file"]
        # Read one byte past the limit: enough to know the file is too large, never more.
        verdict = check_copy(upload.read(MAX_VERIFY_BYTES + 1))
    return render(
        request, "meetings/verify.html", {"form": form, "verdict": verdict, "messages_by_outcome": MESSAGES}
    )


def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """Where the QR code printed in the minutes leads: which session and version, published or superseded."""
    minutes = get_object_or_404(
        Minutes.objects.published().select_related("session__board").filter(session__board__is_home=True),
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
