"""The boards and their seats."""

from django.contrib import admin

from ..models import Board, Membership
from .record import FrenchBesideArabic


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(Board)
class BoardAdmin(FrenchBesideArabic, admin.ModelAdmin):
    list_display = ["name_ar", "name_fr", "is_home", "quorum_percent", "max_proxies"]
    search_fields = ["name_ar", "name_fr"]
    inlines = [MembershipInline]
