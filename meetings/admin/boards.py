"""The boards, their rules and their seats."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Board, Membership
from .record import FrenchBesideArabic


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(Board)
class BoardAdmin(FrenchBesideArabic, admin.ModelAdmin):
    list_display = ["name_ar", "name_fr", "is_home", "quorum_percent", "max_proxies", "minutes_signed_by"]
    search_fields = ["name_ar", "name_fr"]
    inlines = [MembershipInline]
    # The rules come from the institution's founding text or the board's internal rules: each board has
    # its own, which the cycle obeys and the minutes cite (Board.rules).
    fieldsets = [
        (None, {"fields": [("name_ar", "name_fr"), ("institution_ar", "institution_fr"), "is_home"]}),
        (
            _("Sessions"),
            {"fields": ["quorum_percent", "second_call_quorum_percent", "max_proxies", "convocation_days"]},
        ),
        (_("Minutes"), {"fields": ["minutes_signed_by", "minutes_days", "reminder_days"]}),
        (
            _("Decisions in writing between sessions"),
            {"fields": ["written_consultation", "written_majority", "written_consultation_days"]},
        ),
        (_("Secretariat"), {"fields": ["secretariat_email"]}),
    ]
