"""Resolutions and their follow-up, edited on the session page of the secretariat."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from meetings.admin import SessionAdmin, live_rows
from meetings.admin.sessions import RecordAdmin, RecordInline
from meetings.models import Attendance, Quorum, Session

from .models import FollowUp, Resolution


class ResolutionFormSet(BaseInlineFormSet):
    """Counts the voters from the attendance submitted on the same page, before the votes are checked."""

    def full_clean(self) -> None:
        counted = self._voters_counted()
        for form in self.forms:
            form.instance.voters_counted = counted
        super().full_clean()

    def _voters_counted(self) -> int | None:
        session = self.instance
        attendance = next((f for f in getattr(self, "session_formsets", []) if f.model is Attendance), None)
        if (
            attendance is None
            or not attendance.is_valid()
            or session.board_id is None
            or session.date is None
        ):
            return None
        seats = list(session.board.memberships.valid_on(session.date).voting())
        return Quorum.count(session.board, seats, live_rows(attendance)).counted


class ResolutionInline(RecordInline, admin.StackedInline):
    model = Resolution
    formset = ResolutionFormSet
    extra = 0
    fields = [
        ("sequence", "agenda_item"),
        "title",
        "text",
        ("unanimous", "votes_for", "votes_against", "votes_abstain"),
        ("outcome", "responsible_unit", "due_date"),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agenda_item":
            session_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = db_field.related_model.objects.filter(session_id=session_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FollowUpInline(RecordInline, admin.TabularInline):
    model = FollowUp
    fk_name = "session"
    extra = 0
    autocomplete_fields = ["resolution"]


admin.site.unregister(Session)


@admin.register(Session)
class SessionWithDecisionsAdmin(SessionAdmin):
    inlines = [*SessionAdmin.inlines, ResolutionInline, FollowUpInline]


@admin.register(Resolution)
class ResolutionAdmin(RecordAdmin):
    list_display = ["__str__", "session", "outcome", "unanimous", "responsible_unit", "due_date"]
    list_filter = ["outcome", "session__year", "unanimous"]
    search_fields = ["title", "text", "responsible_unit"]
    list_select_related = ["session", "session__board"]
    autocomplete_fields = ["session"]
    ordering = ["-session__date", "sequence"]


@admin.register(FollowUp)
class FollowUpAdmin(RecordAdmin):
    list_display = ["__str__", "session", "status"]
    list_filter = ["status", "session__year"]
    list_select_related = ["resolution__session", "session__board"]
    autocomplete_fields = ["resolution", "session"]
