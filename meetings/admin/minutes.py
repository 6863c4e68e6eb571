"""The minutes in the admin: their state and history, the members' comments to answer, the lifecycle buttons.

The record is never edited here (that is the session's page); the buttons call `meetings.minutes.lifecycle`,
which holds every rule.
"""

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..accounts.middleware import account_of
from ..minutes import jobs, lifecycle
from ..models import MOVES, Approval, ArchivedCopy, Comment, Minutes, Session, Transition
from ..models.duties import DutyRefused

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class OpenCount(TypedDict):
    """What MinutesAdmin's list adds to each version: its comments still open."""

    open_count: int


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class TransitionInline(ReadOnlyInline):
    model = Transition
    readonly_fields = ("at", "source", "target", "by", "reason")
    fields = readonly_fields


class ApprovalInline(ReadOnlyInline):
    model = Approval
    readonly_fields = (
        "role",
        "member",
        "certificate_name",
        "signed_at",
        "factor",
        "factor_at",
        "fingerprint",
        "withdrawn_at",
    )
    fields = readonly_fields


class ArchivedCopyInline(ReadOnlyInline):
    """The files archival maintenance made of this signed version, each with a new document timestamp."""

    model = ArchivedCopy
    readonly_fields = ("timestamped_at", "pdf", "sha256", "renew_by")
    fields = readonly_fields


class CommentInline(admin.StackedInline):
    model = Comment
    extra = 0
    can_delete = False
    fields = [
        ("member", "agenda_item", "created_at"),
        "text",
        "status",
        "reply",
        ("replied_by", "replied_at"),
    ]
    readonly_fields = ["member", "agenda_item", "created_at", "text", "replied_by", "replied_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    list_display = ["session", "version", "state", "open_comments", "signed_at", "published_at"]
    list_filter = ["state", "session__year"]
    list_select_related = ["session", "session__board"]
    readonly_fields = (
        "session",
        "version",
        "state",
        "reason",
        "signed_file",
        "sha256",
        "signed_at",
        "published_at",
        "code",
    )
    fields = readonly_fields
    inlines = [CommentInline, ApprovalInline, TransitionInline, ArchivedCopyInline]
    change_form_template = "admin/meetings/minutes/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(open_count=Count("comments", filter=Q(comments__status=Comment.Status.OPEN)))
        )

    @admin.display(description=_("open comments"), ordering="open_count")
    def open_comments(self, minutes: "WithAnnotations[Minutes, OpenCount]") -> int:
        return minutes.open_count

    @admin.display(description=_("signed PDF"))
    def signed_file(self, minutes: Minutes) -> str:
        if not minutes.pdf:
            return "—"
        url = reverse("meetings:minutes_version_pdf", kwargs={"code": minutes.code})
        return format_html(
            '<a href="{}"><bdi dir="ltr">{}</bdi></a>', url, minutes.pdf.name.rsplit("/", 1)[-1]
        )

    def has_add_permission(self, request) -> bool:
        return False  # a version is started from its session's page (start_version)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the history of a legal record is kept

    def save_formset(self, request, form, formset, change) -> None:
        """A comment answered now is signed with who answered it and when."""
        for comment in formset.save(commit=False):
            comment.sign_reply(request.user)
            comment.full_clean()
            comment.save()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        minutes = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "actions_offered": minutes.actions_offered() if minutes else [],
            "needs_reason": [name for name, move in MOVES.items() if move.needs_reason],
            "consequences": {name: move.consequence for name, move in MOVES.items() if move.consequence},
            "may_move": request.user.has_perm(lifecycle.SECRETARIAT),
            "signature_under_way": minutes.jobs.open().first() if minutes else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/move/<slug:action>/",
                self.admin_site.admin_view(self.move),
                name="meetings_minutes_move",
            ),
            path(
                "start/<int:session_id>/",
                self.admin_site.admin_view(self.start),
                name="meetings_minutes_start",
            ),
            *super().get_urls(),
        ]

    def has_change_permission(self, request, obj=None) -> bool:
        # Signed minutes are kept as signed: their page shows them and offers the next move, nothing to edit.
        if obj is not None and obj.is_signed:
            return False
        return super().has_change_permission(request, obj)

    def move(self, request: HttpRequest, object_id: int, action: str) -> HttpResponse:
        minutes = get_object_or_404(Minutes, pk=object_id)
        move = MOVES.get(action)
        # Asked once the move is otherwise possible, so that a refusal for another reason says that reason.
        possible = (
            move is not None
            and minutes.state in move.sources
            and request.user.has_perm(lifecycle.SECRETARIAT)
        )
        unconfirmed = not request.POST.get("confirm")
        if request.method == "POST" and possible and move is not None and move.consequence and unconfirmed:
            messages.error(request, _("Confirm first that you have read what this step does."))
            return HttpResponseRedirect(reverse("admin:meetings_minutes_change", args=[minutes.pk]))
        if action == "sign":  # long work: the task queue signs, and its job's page follows it
            return self._lifecycle_step(
                request,
                minutes.session,
                lambda: jobs.ask_signature(minutes, by=account_of(request)),
                then=lambda job: HttpResponseRedirect(job.get_absolute_url()),
            )
        return self._lifecycle_step(
            request,
            minutes.session,
            lambda: lifecycle.perform(
                action, minutes, by=account_of(request), reason=request.POST.get("reason", "")
            ),
        )

    def start(self, request: HttpRequest, session_id: int) -> HttpResponse:
        """A new version of the minutes; with `then=review`, a first draft goes to review at once (the
        record is entered on the session's page, the draft itself has nothing more to add)."""
        session = get_object_or_404(Session, pk=session_id)

        def step() -> Minutes:
            minutes = lifecycle.start_version(
                session, by=account_of(request), reason=request.POST.get("reason", "")
            )
            if request.POST.get("then") == "review":
                minutes = lifecycle.submit_for_review(minutes, by=account_of(request))
            return minutes

        return self._lifecycle_step(request, session, step)

    @staticmethod
    def _lifecycle_step(request: HttpRequest, session: Session, step, then=None) -> HttpResponse:
        """Run one lifecycle move from a button: 403 for someone outside the secretariat, the rule's message
        otherwise (a refusal of the duties' rules included).
        `then` answers a step that succeeded; by default, the minutes' page says their new state."""
        if request.method != "POST":
            raise Http404
        try:
            done = step()
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return _minutes_page(session, session.current_minutes())
        except DutyRefused as refusal:  # who asked may not (the duties' log has it): said, not a bare 403
            messages.error(request, refusal.message)
            return _minutes_page(session, session.current_minutes())
        if then is not None:
            return then(done)
        messages.success(request, _("The minutes are now «%(state)s».") % {"state": done.get_state_display()})
        return _minutes_page(session, done)


def _minutes_page(session: Session, minutes: Minutes | None) -> HttpResponse:
    if minutes is None:
        return HttpResponseRedirect(reverse("admin:meetings_session_change", args=[session.pk]))
    return HttpResponseRedirect(reverse("admin:meetings_minutes_change", args=[minutes.pk]))


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Every member comment in one list: the open ones are the secretariat's to-do list."""

    list_display = ["text_start", "member", "minutes", "agenda_item", "status", "created_at"]
    list_filter = ["status", "minutes__session__year"]
    list_select_related = ["member", "minutes__session__board", "agenda_item"]
    search_fields = ["text", "reply", "member__name_ar"]
    fields = CommentInline.fields
    readonly_fields = CommentInline.readonly_fields

    @admin.display(description=_("comment"))
    def text_start(self, comment: Comment) -> str:
        return comment.text[:80]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Comment, form, change) -> None:
        obj.sign_reply(request.user)
        super().save_model(request, obj, form, change)
