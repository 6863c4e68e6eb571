"""Public pages: published sessions only; anything else is a 404 exactly like a session that never was."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

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
        return super().get_queryset().prefetch_related(
            Prefetch("attendances", Attendance.objects.select_related("member", "proxy")),
            "agenda_items",
            # Spelled as strings: meetings never imports decisions.
            "resolutions__agenda_item",
        )

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        return get_object_or_404(queryset, year=self.kwargs["year"], ordinal=self.kwargs["ordinal"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["quorum"] = self.object.quorum()
        return context
