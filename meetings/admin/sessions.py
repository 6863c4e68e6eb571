"""The secretariat's workplace: a session page with its attendance and agenda as inlines; the
convocation, its cancellation and the second convocation; the preview of the draft minutes."""

import datetime
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..accounts.middleware import account_of
from ..convocation import convening, second_call
from ..convocation.messages import sent_summary
from ..minutes import drafting, jobs
from ..models import AgendaItem, Attendance, Board, Declaration, Document, Membership, Session
from ..models.messages import session_start
from ..models.record import frozen_message
from .agenda_choice import AgendaChoicesFormSet, NamesAgendaItemByNumber
from .answers import answers_summary, recorded_answer_page
from .record import PageFormsets, RecordAdmin, RecordFormSet, RecordInline, live_rows


class SecondCallForm(forms.Form):
    """When and where the second convocation holds the session again."""

    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("start time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("end time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    place = forms.CharField(label=_("place"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("A session cannot end before it starts."))
        if data.get("date") and data["date"] < timezone.localdate():
            self.add_error("date", _("The second convocation is for a day to come."))
        return data


class AttendanceFormSet(RecordFormSet):
    """Checks the proxy rules over all submitted rows together, as the attendance will stand once saved."""

    def add_fields(self, form: "forms.ModelForm[Attendance]", index: int | None) -> None:
        super().add_fields(form, index)
        form.instance.siblings = []  # the per-row check defers to clean() below

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


class AttendanceInline(RecordInline, admin.TabularInline):
    """The attendance starts from the board's seats on the session's date, once the session has opened and
    until the first row is saved: the secretariat confirms who actually came. On a saved session, the
    members' answers to the convocation are filled in (no answer: absent); on a session being added,
    everyone seated is present (the seats on the date the add page's «start from the last session» names,
    else today's), a session still to come leaving them aside when saved untouched (SessionAdmin.save_formset).
    Before a saved session, nothing is filled in, so that saving the page (to change the place, say)
    records no attendance ahead of time."""

    model = Attendance
    formset = AttendanceFormSet
    fk_name = "session"
    extra = 0
    autocomplete_fields = ["member", "proxy"]

    @staticmethod
    def initial_rows(session: Session | None) -> list[dict[str, Any]]:
        if session is None or session.date is None or timezone.localdate() < session.date:
            return []
        seats = sorted(convening.convened_seats(session), key=lambda seat: seat.precedence)
        if session.pk is None:
            return [{"member": seat.member_id, "status": Attendance.Status.PRESENT} for seat in seats]
        if timezone.now() < session_start(session) or session.attendances.exists():
            return []
        announced = {a.member_id: a for a in session.answers.all().as_attendance()}
        rows: list[dict[str, Any]] = []
        for seat in seats:
            answer = announced.get(seat.member_id)
            if answer is None:
                rows.append({"member": seat.member_id, "status": Attendance.Status.ABSENT})
            else:
                rows.append({"member": seat.member_id, "status": answer.status, "proxy": answer.proxy_id})
        return rows


def session_being_added(request: HttpRequest, start: Session | None) -> Session | None:
    """On the add page, the new session as far as the address tells it, unsaved: its board and date give
    the seats its attendance starts from. Started from an earlier session `start` (`?from=<id>&date=<day>`),
    that one's board on the day named; otherwise the home board's seats of today (the session being
    entered is usually one just held: SessionAdmin.save_formset leaves the rows aside, untouched, for a
    session still to come)."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = None
    if start is not None:
        return Session(board=start.board, date=day) if day is not None else None
    home = Board.objects.home()
    return Session(board=home, date=timezone.localdate()) if home is not None else None


def only_the_prefill(session: Session, rows: list[Attendance]) -> bool:
    """Whether the attendance posted with a new session is the add page's prefill left as it was
    (AttendanceInline.initial_rows for the board's seats of today, as the plain add page offers them)."""
    offered = AttendanceInline.initial_rows(Session(board=session.board, date=timezone.localdate()))
    return {(row["member"], row["status"], None) for row in offered} == {
        (row.member_id, row.status, row.proxy_id) for row in rows
    }


def starting_session(request: HttpRequest) -> Session | None:
    """The session the add page starts from (`?from=<id>`), if it names one of the sessions there are."""
    wanted = request.GET.get("from", "")
    if not wanted.isdigit():
        return None
    return Session.objects.select_related("board").filter(pk=int(wanted)).first()


# The session the add page being served starts from, looked up once (SessionAdmin.add_view) for the hooks
# Django calls while it makes the page: its initial data, each inline's rows, the page's context.
_starting_from: ContextVar[Session | None] = ContextVar("starting_from", default=None)


class AgendaItemInline(RecordInline, admin.StackedInline):
    """The agenda; a session added from an earlier one starts with that one's recurring items."""

    model = AgendaItem
    formset = RecordFormSet
    extra = 0
    # Each French version right after the Arabic it translates.
    fields = [
        ("position", "title", "title_fr"),
        ("presenter", "presenter_fr"),
        "summary",
        "summary_fr",
        "deliberation",
        "deliberation_fr",
        "recurring",
    ]

    @staticmethod
    def initial_rows(start: Session | None) -> list[dict[str, Any]]:
        return start.recurring_items() if start is not None else []


class DeclarationForm(NamesAgendaItemByNumber):
    """A declaration of interest names its agenda item by the item's number, as resolutions do."""

    class Meta:
        model = Declaration
        fields = ["agenda_item"]  # and the others of DeclarationInline.fields, which the admin passes


class DeclarationInline(RecordInline, admin.TabularInline):
    """The declarations of interest: those the members made with their answers, and those the secretariat
    records during the session (with who recorded them, `SessionAdmin.save_formset`). A member who
    declared stands aside from the item: its quorum and the votes on its resolutions are counted without
    them (decisions.admin checks the votes against the declarations on the same page)."""

    model = Declaration
    form = DeclarationForm
    formset = AgendaChoicesFormSet
    extra = 0
    fields = ["agenda_item", "member", "reason", "source", "recorded_by"]
    readonly_fields = ["source", "recorded_by"]
    autocomplete_fields = ["member"]


class DocumentForm(NamesAgendaItemByNumber):
    """A document names its agenda item by the item's number, as resolutions do: an item typed on the same
    page, not saved yet, included (meetings.admin.agenda_choice)."""

    class Meta:
        model = Document
        fields = ["agenda_item"]  # and the others of DocumentInline.fields, which the admin passes


class DocumentInline(RecordInline, admin.StackedInline):
    """Stacked, the title in French beside the Arabic: a table of the five fields would be wider than the
    page on a laptop's screen."""

    model = Document
    form = DocumentForm
    formset = AgendaChoicesFormSet
    extra = 0
    fields = [("title", "title_fr"), ("agenda_item", "file")]


@admin.register(Session)
class SessionAdmin(RecordAdmin):
    list_display = ["__str__", "board", "kind", "date", "is_public"]
    list_filter = ["year", "kind", "is_public", "board"]
    search_fields = ["place", "place_fr", "board__name_ar", "board__name_fr", "agenda_items__title"]
    date_hierarchy = "date"
    ordering = ["-date", "-ordinal"]
    autocomplete_fields = ["chair"]
    list_select_related = ["board"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "board",
                    ("ordinal", "kind"),
                    "date",
                    ("start_time", "end_time"),
                    ("place", "place_fr"),
                    "chair",
                ]
            },
        ),
        (_("Answers to the convocation"), {"fields": ["answers"]}),
        (_("Minutes"), {"fields": ["opening", "opening_fr"]}),
        (_("Publication"), {"fields": ["is_public"]}),
    ]
    readonly_fields = ["answers"]
    inlines = [AttendanceInline, AgendaItemInline, DeclarationInline, DocumentInline]

    class Media:
        js = ["admin/meetings/session_form.js"]

    def get_readonly_fields(self, request: HttpRequest, obj: Session | None = None) -> list[str]:
        # A written consultation is drafted on a page of its own (decisions.admin); here, its record.
        written = obj is not None and obj.kind == Session.Kind.WRITTEN
        return [*super().get_readonly_fields(request, obj), *(["kind", "ordinal", "date"] if written else [])]

    def formfield_for_choice_field(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name == "kind":  # a written consultation is added on its own page
            kwargs["choices"] = [(k, label) for k, label in Session.Kind.choices if k != Session.Kind.WRITTEN]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description=_("answers and expected quorum"))
    def answers(self, session: Session) -> str:
        return answers_summary(session) if session.pk is not None else "—"

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Session | None = None,
    ) -> HttpResponse:
        if add:
            home = Board.objects.home()
            context["last_session"] = Session.objects.last_held_of(home) if home else None
            context["starting_from"] = _starting_from.get()
        if obj is not None:
            if request.method == "GET" and obj.is_frozen_as_read:
                messages.info(request, frozen_message())
            context["minutes"] = obj.current_minutes()
            context["convocation"] = convening.latest_convocation(obj)
            context["needs_second_call"] = second_call.needs_second_call(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        started = _starting_from.set(starting_session(request))
        try:
            return super().add_view(request, form_url, extra_context)
        finally:
            _starting_from.reset(started)

    def get_formsets_with_inlines(
        self, request: HttpRequest, obj: Session | None = None
    ) -> Iterator[tuple[type[RecordFormSet], InlineModelAdmin]]:
        # Inlines of one session are validated together: the votes of a resolution are checked against
        # the attendance submitted on the same page (see decisions.admin). Each formset class is made for
        # this page, whose formsets it joins.
        page = PageFormsets()
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            yield page.formset_class(formset), inline

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Session, inline: InlineModelAdmin, prefix: str
    ) -> dict[str, Any]:
        # The rows a page starts with are offered on the page only: posted back, every row is the user's.
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "GET":
            # The add page passes its unsaved session, and may start from an earlier one.
            adding = obj.pk is None
            if isinstance(inline, AttendanceInline):
                session = session_being_added(request, _starting_from.get()) if adding else obj
                kwargs["initial"] = inline.initial_rows(session)
            elif isinstance(inline, AgendaItemInline):
                kwargs["initial"] = inline.initial_rows(_starting_from.get() if adding else None)
        return kwargs

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # Django's initial values are the address's (strings); the home board and its chair are keys.
        initial: dict[str, Any] = super().get_changeform_initial_data(request)
        start = _starting_from.get()
        if start is not None:
            return {**initial, **start.carried_over()}
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
            path("<int:object_id>/minutes-preview/", preview, name="meetings_session_minutes_preview"),
            path(
                "<int:object_id>/convene/",
                self.admin_site.admin_view(self.convene),
                name="meetings_session_convene",
            ),
            path(
                "<int:object_id>/cancel/",
                self.admin_site.admin_view(self.cancel),
                name="meetings_session_cancel",
            ),
            path(
                "<int:object_id>/answer/",
                self.admin_site.admin_view(self.record_answer),
                name="meetings_session_record_answer",
            ),
            path(
                "<int:object_id>/draft-texts/",
                self.admin_site.admin_view(self.draft_texts),
                name="meetings_session_draft_texts",
            ),
            path(
                "<int:object_id>/second-call/",
                self.admin_site.admin_view(self.second_call),
                name="meetings_session_second_call",
            ),
            *super().get_urls(),
        ]

    def _viewable_session(self, request: HttpRequest, object_id: int, sessions: QuerySet[Session]) -> Session:
        """The session of a page of its own (preview, convocation, cancellation, second call): 404 if
        there is none, 403 for someone who may not see it."""
        session = sessions.filter(pk=object_id).first()
        if session is None:
            raise Http404
        if not self.has_view_permission(request, session):
            raise PermissionDenied
        return session

    def convene(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Who the convocation goes to, and whom it cannot reach, before it is sent; a short notice asks
        for its reason (meetings.convocation.convening.convene holds the rules)."""
        return self._notice_step(request, object_id, "convene")

    def cancel(self, request: HttpRequest, object_id: int) -> HttpResponse:
        return self._notice_step(request, object_id, "cancel")

    def second_call(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The quorum was not reached: a new session holds this one again
        (meetings.convocation.second_call)."""
        session = self._viewable_session(request, object_id, Session.objects.select_related("board"))
        form = SecondCallForm(request.POST or None, initial={"place": session.place})
        if request.method == "POST" and form.is_valid():
            try:
                again = second_call.second_call(session, by=account_of(request), **form.cleaned_data)
            except ValidationError as refusal:
                form.add_error(None, refusal)  # a refusal naming fields goes to those fields
            else:
                messages.success(
                    request,
                    _("%(session)s holds the session again; send its convocation.") % {"session": again},
                )
                return HttpResponseRedirect(reverse("admin:meetings_session_change", args=[again.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": session,
            "title": _("Quorum not reached: second convocation"),
            "form": form,
            "quorum": session.quorum(),
        }
        return TemplateResponse(request, "admin/meetings/session/second_call.html", context)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        # A session still to come, added with the attendance the page prefilled untouched: no attendance
        # is recorded ahead of the session (the rows come back once it is held).
        session = form.instance
        if (
            formset.model is Attendance
            and not change
            and timezone.now() < session_start(session)
            and only_the_prefill(session, live_rows(formset))
        ):
            formset.save(commit=False)  # what the admin's log reads of it; nothing is written
            messages.info(
                request,
                _("The attendance is recorded once the session is held: the rows offered were left aside."),
            )
            return
        if formset.model is Declaration:
            for row in formset.forms:
                if row.instance.pk is None:  # recorded now, by this account of the secretariat
                    row.instance.source, row.instance.recorded_by = (
                        Declaration.Source.SECRETARIAT,
                        request.user,
                    )
        super().save_formset(request, form, formset, change)

    def get_actions(self, request: HttpRequest) -> dict:
        # One session at a time, from its page: never a list's worth in one click.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        # A session entered by mistake, never convened (Session.deletable); Django's log keeps who deleted it.
        return super().has_delete_permission(request, obj) and (obj is None or obj.deletable)

    def record_answer(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """An answer to the convocation given by phone, letter or in person, recorded by the secretariat."""
        session = self._viewable_session(request, object_id, Session.objects.select_related("board"))
        if not self.has_change_permission(request, session):
            raise PermissionDenied
        return recorded_answer_page(self, request, session)

    def _notice_step(self, request: HttpRequest, object_id: int, step: str) -> HttpResponse:
        session = self._viewable_session(request, object_id, Session.objects.select_related("board"))
        error = ""
        if request.method == "POST":
            try:
                if step == "convene":
                    sent = convening.convene(
                        session, by=account_of(request), reason=request.POST.get("reason", "")
                    )
                else:
                    sent = convening.cancel(session, by=account_of(request))
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
            else:
                messages.success(request, sent_summary(sent))
                return HttpResponseRedirect(reverse("admin:meetings_session_change", args=[session.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": session,
            "step": step,
            "title": _("Send the convocation") if step == "convene" else _("Cancel the session"),
            "seats": convening.convened_seats(session),
            "short_notice": step == "convene" and convening.short_notice(session),
            "days_ahead": (session.date - timezone.localdate()).days,
            "error": error,
            "reason": request.POST.get("reason", ""),
        }
        if step == "convene":
            chosen = request.GET.get("preview", "")
            context["preview"] = convening.preview(session, int(chosen) if chosen.isdigit() else None)
            context["attachments"] = convening.attachments(session)
        return TemplateResponse(request, "admin/meetings/session/convene.html", context)

    def draft_texts(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The opening and the items' deliberations drafted from the record, in the set phrases, into the
        fields still empty (meetings.minutes.drafting): the secretariat then completes them."""
        if request.method != "POST":
            raise Http404
        session = self._viewable_session(request, object_id, Session.objects.all())
        if not self.has_change_permission(request, session):
            raise PermissionDenied
        try:
            filled = drafting.fill_from_record(session)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            if filled:
                messages.success(
                    request,
                    _("Drafted from the record, to complete where «[…]» stands: %(fields)s.")
                    % {"fields": gettext(", ").join(filled)},
                )
            else:
                messages.info(request, _("Every text is already written: nothing was drafted over it."))
        return HttpResponseRedirect(reverse("admin:meetings_session_change", args=[session.pk]))

    def minutes_preview(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The draft minutes as they would print now, marked «مسودة» on every page: asked of the task
        queue, whose progress page then shows it (meetings.minutes.jobs.ask_preview)."""
        if request.method != "POST":
            raise Http404
        session = self._viewable_session(request, object_id, Session.objects.with_record())
        return HttpResponseRedirect(jobs.ask_preview(session, by=account_of(request)).get_absolute_url())
