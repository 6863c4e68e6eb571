"""The secretariat's workplace: a session page with its attendance and agenda as inlines."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .minutes import minutes_queryset, pdf_response, render_minutes_pdf
from .models import AgendaItem, Attendance, Board, Member, Membership, Session


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name_ar", "name_fr", "is_home", "quorum_percent", "max_proxies"]
    search_fields = ["name_ar", "name_fr"]
    inlines = [MembershipInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name_ar", "name_fr", "title_ar", "email", "user"]
    search_fields = ["name_ar", "name_fr", "title_ar", "title_fr", "email"]
    autocomplete_fields = ["user"]
    inlines = [MembershipInline]


def live_rows(formset: BaseInlineFormSet) -> list:
    """The instances a valid formset will keep once saved: filled-in rows not marked for deletion."""
    return [
        form.instance
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


class AttendanceFormSet(BaseInlineFormSet):
    """Checks the proxy rules over all submitted rows together, as the attendance will stand once saved."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.siblings = []  # the per-row check defers to clean() below
        return form

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.board_id is None:
            return
        rows = live_rows(self)
        for form in self.forms:
            if form.instance in rows and form.instance.status == Attendance.Status.REPRESENTED:
                try:
                    form.instance.validate_proxy(
                        self.instance.board, [a for a in rows if a is not form.instance]
                    )
                except ValidationError as error:
                    form.add_error(None, error)


class AttendanceInline(admin.TabularInline):
    model = Attendance
    formset = AttendanceFormSet
    fk_name = "session"
    extra = 0
    autocomplete_fields = ["member", "proxy"]


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = [("position", "title"), "presenter", "summary", "deliberation"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "board", "kind", "date", "is_public"]
    list_filter = ["year", "kind", "is_public", "board"]
    search_fields = ["place", "board__name_ar", "board__name_fr", "agenda_items__title"]
    date_hierarchy = "date"
    ordering = ["-date", "-ordinal"]
    autocomplete_fields = ["chair"]
    list_select_related = ["board"]
    fieldsets = [
        (
            None,
            {"fields": ["board", ("ordinal", "kind"), "date", ("start_time", "end_time"), "place", "chair"]},
        ),
        (_("Minutes"), {"fields": ["opening"]}),
        (_("Publication"), {"fields": ["is_public"]}),
    ]
    inlines = [AttendanceInline, AgendaItemInline]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        home = Board.objects.home()
        if home is not None:
            initial.setdefault("board", home.pk)
            chair = home.memberships.filter(role=Membership.Role.PRESIDENT, end__isnull=True).first()
            if chair is not None:
                initial.setdefault("chair", chair.member_id)
        return initial

    def get_urls(self):
        preview = self.admin_site.admin_view(self.minutes_preview)
        return [
            path("<int:object_id>/minutes-preview.pdf", preview, name="meetings_session_minutes_preview"),
            *super().get_urls(),
        ]

    def minutes_preview(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The draft minutes as they would print now, marked «مسودة» on every page; never stored."""
        session = minutes_queryset().filter(pk=object_id).first()
        if session is None:
            raise Http404
        if not self.has_view_permission(request, session):
            raise PermissionDenied
        return pdf_response(render_minutes_pdf(session, draft=True), session, draft=True)

    def _create_formsets(self, request, obj, change):
        # Inlines of one session are validated together: the votes of a resolution are checked against
        # the attendance submitted on the same page (see decisions.admin).
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        for formset in formsets:
            formset.session_formsets = formsets
        return formsets, inline_instances
