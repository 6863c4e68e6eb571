"""Public pages: published sessions only; anything else is a 404 exactly like a session that never was."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .minutes import cached_minutes_pdf, minutes_queryset, pdf_response
from .models import Attendance, Session


class PublicSessionMixin:
    """Owns the queryset of every public page: public sessions with what their pages show."""

    def get_queryset(self):
        return Session.objects.public().select_related("board", "chair")


class SessionArchive(PublicSessionMixin, ListView):
    template_name = "meetings/session_list.html"
    context_object_name = "sessions"


class SessionDetail(PublicSessionMixin, DetailView):
    template_name = "meetings/session_detail.html"
    context_object_name = "session"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("attendances", Attendance.objects.select_related("member", "proxy")),
                "agenda_items",
                "resolutions",  # meetings never imports decisions: the related name is spelled as a string
            )
        )

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        return get_object_or_404(queryset, year=self.kwargs["year"], ordinal=self.kwargs["ordinal"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["quorum"] = self.object.quorum()
        return context


def session_minutes_pdf(request: HttpRequest, year: int, ordinal: int) -> HttpResponse:
    """The minutes of a public session as PDF, rendered once per content and then served from storage."""
    session = get_object_or_404(minutes_queryset().public(), year=year, ordinal=ordinal)
    return pdf_response(cached_minutes_pdf(session), session)
