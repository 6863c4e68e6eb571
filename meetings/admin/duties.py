"""The duties' log, read only."""

from django.contrib import admin

from ..models import DutyLog
from .read_only import ReadOnlyAdmin


@admin.register(DutyLog)
class DutyLogAdmin(ReadOnlyAdmin):
    """Every change of seats and accounts, and every refusal of the separation of duties."""

    list_display = ["at", "kind", "about", "detail", "by"]
    list_filter = ["kind"]
    list_select_related = ["member", "by"]
    search_fields = ["detail", "about", "member__name_ar", "account__username"]
    date_hierarchy = "at"
