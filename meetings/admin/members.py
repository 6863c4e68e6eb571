"""The members: their names and titles (which the admin's pickers show), their seats, their invitation to
an account, what the secretariat may know of that account, and their history in the duties' log."""

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext_lazy as _

from ..accounts import invitations, second_factor
from ..models import DutyLog, Member
from ..models.duties import holds_approving_seat
from .boards import MembershipInline
from .record import FrenchBesideArabic

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@admin.register(Member)
class MemberAdmin(FrenchBesideArabic, admin.ModelAdmin):
    list_display = ["name_ar", "name_fr", "title_ar", "email", "user"]
    search_fields = ["name_ar", "name_fr", "title_ar", "title_fr", "email"]
    autocomplete_fields = ["user"]
    inlines = [MembershipInline]
    actions = ["invite"]

    def has_invite_permission(self, request) -> bool:
        return request.user.is_superuser  # who logs in as whom is the administrators' to decide

    @admin.action(
        description=_("Invite by e-mail (the member chooses their own password)"), permissions=["invite"]
    )
    def invite(self, request: HttpRequest, members) -> HttpResponse | None:
        """Asked first: each account's sign-in address is the member's contact address as it is now,
        which the secretariat keeps; the page names who changed it last, to be checked with the person."""
        if request.POST.get("confirm") != "yes":
            changes = {
                entry.member_id: entry
                for entry in DutyLog.objects.filter(kind=DutyLog.Kind.CONTACT, member__in=members)
                .select_related("by")
                .order_by("at")
            }
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Invite by e-mail"),
                "invited": [(member, changes.get(member.pk)) for member in members],
            }
            return TemplateResponse(request, "admin/meetings/member/invite.html", context)
        invited = []
        for member in members:
            try:
                invitations.invite(member)
            except ValidationError as refusal:
                messages.warning(request, " ".join(refusal.messages))
            else:
                invited.append(member.name)
        if invited:
            messages.success(
                request,
                _("Invitation queued for: %(names)s.")
                % {"names": ("، " if get_language_bidi() else ", ").join(invited)},
            )
        return None  # back to the list, which says what was done

    def get_search_results(self, request, queryset, search_term):
        """The people whose name has the word typed come first, then those whose name merely contains it,
        then those whose title says it (the attendance's and the chair's pickers search here): typing
        «الاقتصاد» finds «وزارة الاقتصاد والمالية» before «وزارة الإدماج الاقتصادي…», and both before a
        member whose title names the economy."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            found = found.annotate(
                spaced_ar=Concat(Value(" "), "name_ar", Value(" ")),
                spaced_fr=Concat(Value(" "), "name_fr", Value(" ")),
                named_first=Case(
                    When(Q(spaced_ar__icontains=f" {term} ") | Q(spaced_fr__icontains=f" {term} "), then=0),
                    When(Q(name_ar__icontains=term) | Q(name_fr__icontains=term), then=1),
                    default=2,
                ),
            ).order_by("named_first", "name_ar")
        return found, may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        # Who logs in as whom is the administrators' (superusers') to decide (meetings.models.duties).
        readonly = [*super().get_readonly_fields(request, obj), "sign_in", "history"]
        return readonly if request.user.is_superuser else [*readonly, "user"]

    @admin.display(description=_("sign-in and second factor"))
    def sign_in(self, member: Member) -> "StrOrPromise":
        """What the secretariat may know of the member's account, and change none of: whether it has a
        sign-in address (where a reset's link goes) and a second factor enrolled by its person."""
        user = member.user if member.pk else None
        if user is None:
            return _("No account: an administrator invites the member.")
        factors = second_factor.enrolled(user)
        text = _("Account «%(username)s»; sign-in address: %(address)s; second factor: %(factors)s.") % {
            "username": user.get_username(),
            "address": _("set by an administrator") if user.email else _("none"),
            "factors": "، ".join(str(f) for f in factors) if factors else _("none enrolled"),
        }
        if not factors and holds_approving_seat(member):
            text += " " + _("It cannot approve until its person enrols one at sign-in.")
        return text

    @admin.display(description=_("history"))
    def history(self, member: Member) -> str:
        if not member.pk:
            return "—"
        url = reverse("admin:meetings_dutylog_changelist") + f"?member__id__exact={member.pk}"
        count = member.duty_log.count()
        return format_html(
            '<a href="{}">{}</a>', url, _("Seats, account and addresses: %(n)s entries") % {"n": count}
        )
