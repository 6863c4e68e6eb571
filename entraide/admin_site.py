"""The admin's site: Django's, whose pickers list a member with their title. It is the default site
(`admin.site`) through `entraide.apps.AdminConfig`; it lives apart from `meetings.admin`, whose modules
register on it as they are imported."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from meetings.models import Member
from meetings.text.bidi import without_bidi_controls


class PeopleWithTheirTitles(AutocompleteJsonView):
    """The admin's pickers list a member with their title («أحمد العلوي — كاتب الدولة…»): two people of
    one name are told apart, and the one sought is recognised."""

    def serialize_result(self, obj: Model, to_field_name: str) -> dict[str, Any]:
        # Django's hook (4.0) is missing from django-stubs' AutocompleteJsonView.
        result = super().serialize_result(obj, to_field_name)  # type: ignore[misc]
        if isinstance(obj, Member) and obj.title:
            result["text"] = f"{result['text']} — {without_bidi_controls(obj.title)}"
        return result


class AdminSite(admin.AdminSite):
    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        response = PeopleWithTheirTitles.as_view(admin_site=self)(request)
        assert isinstance(response, HttpResponse)  # its JSON
        return response
