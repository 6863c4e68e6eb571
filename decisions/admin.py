"""Resolutions, edited on the session page of the secretariat; the follow-up of earlier resolutions on a
screen of its own per session (follow_up.py); the secretariat's dashboard (dashboard.py)."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext_lazy as _

from meetings.accounts.middleware import account_of
from meetings.admin import SessionAdmin, live_rows
from meetings.admin.agenda_choice import AgendaChoicesFormSet, NamesAgendaItemByNumber
from meetings.admin.record import RecordAdmin, RecordInline
from meetings.convocation import written
from meetings.convocation.messages import sent_summary
from meetings.models import Attendance, Board, Declaration, Document, Quorum, Session, WrittenConsultation
from meetings.models.record import frozen_message
from meetings.text.bidi import without_bidi_controls
from meetings.text.dates import moroccan_date

from .dashboard import COLUMNS, chart, count_resolutions
from .follow_up import FollowUpReport
from .models import FollowUp, Resolution


class ResolutionForm(NamesAgendaItemByNumber):
    """A resolution names its agenda item by the item's number (meetings.admin.agenda_choice)."""

    class Meta:
        model = Resolution
        fields = ["agenda_item"]  # and the others of ResolutionInline.fields, which the admin passes


class ResolutionFormSet(AgendaChoicesFormSet):
    """Checks the votes against the attendance and the declarations of interest submitted on the same
    page, before they are saved; offers the agenda items of the same page, by their numbers
    (AgendaChoicesFormSet)."""

    def full_clean(self) -> None:
        quorum = self._page_quorum()
        for form in self.forms:
            form.instance.page_quorum = quorum
        super().full_clean()

    def _page_quorum(self) -> "Callable[[int | None], Quorum] | None":
        """The quorum of an agenda item, by its number on the page, as the page's rows will count it once
        saved; None when they are not all valid (each formset then shows its own errors)."""
        session = self.instance
        attendance = self.page.of(Attendance) if self.page is not None else None
        declarations = self.page.of(Declaration) if self.page is not None else None
        if (
            attendance is None
            or not attendance.is_valid()
            or (declarations is not None and not declarations.is_valid())
            or session.board_id is None
            or session.date is None
        ):
            return None
        seats, rows = session.voting_memberships(), live_rows(attendance)
        aside: dict[int | None, set[int]] = {}
        for declaration in live_rows(declarations) if declarations is not None else []:
            aside.setdefault(declaration.agenda_position, set()).add(declaration.member_id)
            # Checked here, with the resolutions beside them: saved in the page's order, not refused one
            # by one against rows about to change (Declaration.save).
            declaration.checked_on_page = True
        return lambda position: Quorum.count(session, seats, rows, aside=aside.get(position, set()))


class ResolutionInline(RecordInline, admin.StackedInline):
    model = Resolution
    form = ResolutionForm
    formset = ResolutionFormSet
    extra = 0
    fields = [
        ("sequence", "agenda_item"),
        ("title", "title_fr"),
        ("text", "text_fr"),
        ("unanimous", "votes_for", "votes_against", "votes_abstain"),
        ("outcome", "due_date"),
        ("responsible_unit", "responsible_unit_fr"),
    ]

    def get_queryset(self, request):
        # Each row's header prints its number; its form shows its agenda item's number.
        return super().get_queryset(request).select_related("session", "agenda_item")


admin.site.unregister(Session)


@admin.register(Session)
class SessionWithDecisionsAdmin(SessionAdmin):
    """The session page, with its resolutions, and a screen for the follow-up of earlier resolutions."""

    inlines = [*SessionAdmin.inlines, ResolutionInline]

    def get_urls(self):
        follow_up = self.admin_site.admin_view(self.follow_up_view)
        return [
            path("<int:object_id>/follow-up/", follow_up, name="meetings_session_follow_up"),
            *super().get_urls(),
        ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Follow-up of the resolutions"), {"fields": ["follow_up"]})]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "follow_up"]

    @admin.display(description=_("Reported at this session"))
    def follow_up(self, session: Session) -> str:
        """What the session's follow-up screen recorded, and the way to it with the number still open."""
        recorded = session.follow_ups.select_related("resolution__session")
        rows = format_html_join(
            "",
            "<li><bdi>{}</bdi> — <bdi>{}</bdi>: <strong>{}</strong></li>",
            (
                (f.resolution.number, without_bidi_controls(f.resolution.title), f.get_status_display())
                for f in recorded
            ),
        )
        still_open = Resolution.objects.open_at(session).count()
        link = format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:meetings_session_follow_up", args=[session.pk]),
            ngettext(
                "Follow-up of %(count)d earlier resolution",
                "Follow-up of %(count)d earlier resolutions",
                still_open,
            )
            % {"count": still_open},
        )
        return format_html('<ul class="follow-up-recorded">{}</ul><p>{}</p>', rows, link) if rows else link

    def follow_up_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Every earlier resolution still open, each one's status at this session, on one screen."""
        session = self.get_object(request, str(object_id))
        if session is None:
            raise Http404
        if not self.has_view_permission(request, session):
            raise PermissionDenied
        editable = self.has_change_permission(request, session) and request.user.has_perms(
            [f"decisions.{action}_followup" for action in ("add", "change", "delete")]
        )
        if request.method == "POST" and not editable:
            raise PermissionDenied
        report = FollowUpReport(session, request.POST if request.method == "POST" else None)
        if request.method == "POST" and report.is_valid() and report.save():
            messages.success(request, _("The follow-up of the earlier resolutions is saved."))
            if "_continue" in request.POST:
                return redirect(request.path)
            return redirect("admin:meetings_session_change", session.pk)
        if session.is_frozen_as_read:
            messages.info(request, frozen_message())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": session,
            "report": report,
            "editable": editable,
            "statuses": dict(FollowUp.Status.choices),
            "title": _("Follow-up of the resolutions"),
            "subtitle": str(session),
        }
        return TemplateResponse(request, "admin/decisions/session_follow_up.html", context)


@admin.register(Resolution)
class ResolutionAdmin(RecordAdmin):
    list_display = ["__str__", "session", "outcome", "unanimous", "responsible_unit", "due_date"]
    list_filter = ["outcome", "session__year", "unanimous"]
    search_fields = ["title", "title_fr", "text", "text_fr", "responsible_unit"]
    list_select_related = ["session", "session__board"]
    autocomplete_fields = ["session"]
    ordering = ["-session__date", "sequence"]
    view_on_site = False  # its public page answers 404 until the session's minutes are published

    def get_urls(self):
        dashboard = self.admin_site.admin_view(self.dashboard)
        return [path("dashboard/", dashboard, name="decisions_resolution_dashboard"), *super().get_urls()]

    def dashboard(self, request: HttpRequest) -> HttpResponse:
        """The home board's resolutions counted by session year and where they stand, with a chart."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        counts = count_resolutions(timezone.localdate())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Resolutions dashboard"),
            "subtitle": counts.board,
            "dashboard": counts,
            "chart": chart(counts, rtl=get_language_bidi()),
            "columns": COLUMNS,
            "adopted_columns": [column for column in COLUMNS if column.adopted],
            "other_columns": [column for column in COLUMNS if not column.adopted],
        }
        return TemplateResponse(request, "admin/decisions/resolution/dashboard.html", context)


@admin.register(FollowUp)
class FollowUpAdmin(RecordAdmin):
    list_display = ["__str__", "session", "status"]
    list_filter = ["status", "session__year"]
    list_select_related = ["resolution__session", "session__board"]
    autocomplete_fields = ["resolution", "session"]


# Written consultations between sessions


class UntilPutToTheMembers(RecordInline):
    """A written consultation's part, changed until it is put to the members, read-only after."""

    def _open(self, obj) -> bool:
        return super()._open(obj) and (obj is None or obj.submitted_at is None)


class DraftResolutionInline(UntilPutToTheMembers, admin.StackedInline):
    """The draft resolution put to the members: its text; the votes are the members' answers, written in
    at the closing (meetings.convocation.written)."""

    model = Resolution
    extra = 1
    readonly_fields = ["outcome", "votes_for", "votes_against", "votes_abstain"]

    def get_fields(self, request, obj=None):
        # The outcome and the counts once closed: before, there is none.
        result = [("outcome", "votes_for", "votes_against", "votes_abstain")] if obj and obj.closed_at else []
        return [("title", "title_fr"), ("text", "text_fr"), *result]

    verbose_name = _("draft resolution")
    verbose_name_plural = _("draft resolution")


class WrittenDocumentInline(UntilPutToTheMembers, admin.TabularInline):
    model = Document
    extra = 0
    fields = ["title", "title_fr", "file"]


@admin.register(WrittenConsultation)
class WrittenConsultationAdmin(RecordAdmin):
    """A written consultation: its board and closing, its draft resolution and documents; put to the
    members, then closed, from buttons of its page. Its minutes follow the lifecycle of any session's."""

    list_display = ["__str__", "board", "closes_at", "stage"]
    list_filter = ["year", "board"]
    list_select_related = ["board"]
    ordering = ["-date", "-ordinal"]
    inlines = [DraftResolutionInline, WrittenDocumentInline]
    readonly_fields = ["submitted_at", "closed_at", "withdrawn_at", "answers"]
    change_form_template = "admin/meetings/writtenconsultation/change_form.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["board", "closes_at"]
        withdrawn = ["withdrawn_at"] if obj.cancelled_at else []
        return ["board", "closes_at", "submitted_at", "closed_at", *withdrawn, "answers"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.submitted_at is not None:
            return [*self.readonly_fields, "board", "closes_at"]
        return self.readonly_fields

    # The secretariat's permissions on sessions are those of the written consultations.
    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("meetings.view_session")

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm("meetings.add_session")

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("meetings.change_session") and super()._open(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("meetings.delete_session") and (
            obj is None or obj.deletable and obj.submitted_at is None
        )

    def get_changeform_initial_data(self, request):
        home = Board.objects.filter(is_home=True, written_consultation=True).first()
        return {"board": home.pk} if home else {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "board":  # only the boards whose rules allow it
            kwargs["queryset"] = Board.objects.filter(written_consultation=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("withdrawn at"))
    def withdrawn_at(self, consultation: WrittenConsultation) -> str:
        # A withdrawn consultation's time is the field a cancelled session uses.
        return display_for_value(consultation.cancelled_at, "-")

    @admin.display(description=_("where it stands"))
    def stage(self, consultation: WrittenConsultation) -> str:
        """Drafted, put to the members, closed or withdrawn: the latest, with its day."""
        for moment, said in (
            (consultation.cancelled_at, _("withdrawn on %(date)s")),
            (consultation.closed_at, _("closed on %(date)s")),
            (consultation.submitted_at, _("put to the members on %(date)s")),
        ):
            if moment is not None:
                return said % {"date": moroccan_date(timezone.localdate(moment))}
        return str(_("drafted, not yet put to the members"))

    @admin.display(description=_("answers"))
    def answers(self, consultation: WrittenConsultation) -> str:
        """Who answered; what each answered, once closed."""
        votes = consultation.written_votes.select_related("member")
        seats = consultation.voting_memberships()
        rows = format_html_join(
            "",
            "<li><bdi>{}</bdi>: {}</li>",
            (
                (
                    seat.member.name,
                    next(
                        (
                            (v.get_choice_display() if consultation.closed_at else _("answered"))
                            for v in votes
                            if v.member_id == seat.member_id
                        ),
                        _("no answer yet") if consultation.closed_at is None else _("did not answer"),
                    ),
                )
                for seat in seats
            ),
        )
        return format_html("<ul>{}</ul>", rows)

    def get_urls(self):
        step = self.admin_site.admin_view(self.step)
        return [
            path(
                "<int:object_id>/submit/",
                step,
                {"action": "submit"},
                name="meetings_writtenconsultation_submit",
            ),
            path(
                "<int:object_id>/close/", step, {"action": "close"}, name="meetings_writtenconsultation_close"
            ),
            path(
                "<int:object_id>/withdraw/",
                step,
                {"action": "withdraw"},
                name="meetings_writtenconsultation_withdraw",
            ),
            *super().get_urls(),
        ]

    def step(self, request: HttpRequest, object_id: int, action: str) -> HttpResponse:
        """Put to the members («submit»), closed («close») once its time is up, or withdrawn («withdraw»)."""
        consultation = WrittenConsultation.objects.filter(pk=object_id).first()
        if consultation is None:
            raise Http404
        if not request.user.has_perm("meetings.change_session"):
            raise PermissionDenied
        if request.method != "POST" and action == "withdraw":  # what it does, before the button
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": consultation,
                "title": _("Withdraw the written consultation"),
                "answered": consultation.written_votes.count(),
            }
            return TemplateResponse(request, "admin/meetings/writtenconsultation/withdraw.html", context)
        if request.method != "POST":
            return redirect("admin:meetings_writtenconsultation_change", object_id)
        try:
            if action == "submit":
                messages.success(request, sent_summary(written.submit(consultation, by=account_of(request))))
            elif action == "withdraw":
                sent = written.withdraw(consultation, by=account_of(request))
                withdrawn = _("The consultation is withdrawn.")
                messages.success(request, f"{withdrawn} {sent_summary(sent)}")
            else:
                written.close(consultation)
                messages.success(
                    request, _("The consultation is closed; its result is written in its record.")
                )
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        return redirect("admin:meetings_writtenconsultation_change", object_id)
