"""What the admins of a session's record share: a French text typed beside its Arabic, and the record
read-only once the session's minutes are signed (the session's page, and decisions' resolutions)."""

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.admin.options import BaseModelAdmin, InlineModelAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import Field as FormField
from django.forms import ModelChoiceField, ModelForm
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from ..models import AgendaItem, Session
from ..models.record import NumberedInSession, frozen_message


class FrenchBesideArabic(BaseModelAdmin):
    """The French version of a text (a `<field>_fr`) is typed left to right, in French, beside its Arabic."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name.endswith("_fr"):
            formfield.widget.attrs.update(lang="fr", dir="ltr")
        return formfield


class RecordInline(FrenchBesideArabic, InlineModelAdmin):
    """An inline of a session's record: read-only once the session's minutes are signed. In a table (a
    tabular inline), each row's fields are named for assistive technology by their column's heading, which
    is all a sighted user reads."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(self, admin.TabularInline):
            formfield.widget.attrs.setdefault("aria-label", str(formfield.label))
        return formfield

    def _open(self, obj: models.Model | None) -> bool:
        return not isinstance(obj, Session) or not obj.is_frozen_as_read

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        # A row's agenda item is one of this session's (none on the add page).
        if db_field.name == "agenda_item":
            session_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            items = AgendaItem.objects.all()
            kwargs["queryset"] = items.filter(session_id=session_id) if session_id else items.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._open(obj) and super().has_delete_permission(request, obj)


class RecordAdmin(FrenchBesideArabic, admin.ModelAdmin):
    """The admin of a part of a session's record (the session, a resolution…): read-only once signed.

    Bulk deletion goes row by row through the model, whose delete() refuses a signed record; Django's
    default would delete the queryset in one statement, past that rule."""

    def _open(self, obj: Any) -> bool:
        session = obj.record_session() if obj is not None else None
        return session is None or session.pk is None or not session.is_frozen_as_read

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        refused = 0
        for obj in queryset:
            try:
                obj.delete()
            except ValidationError:
                refused += 1
        if refused:
            messages.error(request, frozen_message())


def live_rows(formset: BaseInlineFormSet) -> list:
    """The instances a valid formset will keep once saved: filled-in rows not marked for deletion."""
    return [
        form.instance
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


class RecordFormSet(BaseInlineFormSet):
    """The rows of a session's record on its page: a duplicate is named by the field's label the
    secretariat reads («الترتيب»), never by its name in the code («position»). Rows numbered in the
    session may be renumbered together (reordered): see NumberedInSession.move_aside. The rows a page
    starts with (its `initial`) are each shown, and no more."""

    # The formsets of the page this one is on, for a class made for one page (PageFormsets.formset_class).
    page: ClassVar["PageFormsets | None"] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.page is not None:
            self.page.formsets.append(self)
        if not self.is_bound and self.initial_extra:
            self.extra = len(self.initial_extra)

    def add_fields(self, form: ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # a table's rows show the box under the column's heading only
            form.fields["DELETE"].widget.attrs.setdefault("aria-label", str(form.fields["DELETE"].label))

    def save_existing_objects(self, commit: bool = True) -> list:
        if issubclass(self.model, NumberedInSession) and commit:
            number = self.model.number_field
            moving = [
                form.instance
                for form in self.initial_forms
                if form.instance.pk and (form in self.deleted_forms or number in form.changed_data)
            ]
            if moving:
                self.model.move_aside(moving)
        return super().save_existing_objects(commit)

    def get_unique_error_message(self, unique_check: Any) -> str:
        labels = [
            str(self.model._meta.get_field(name).verbose_name)
            for name in unique_check
            if name != self.fk.name
        ]
        return super().get_unique_error_message(labels)


class PageFormsets:
    """The formsets of one page of a session, made together (SessionAdmin.get_formsets_with_inlines): a
    row may be checked against rows submitted beside it, such as the votes of a resolution against the
    attendance on the same page (decisions.admin)."""

    def __init__(self) -> None:
        self.formsets: list[RecordFormSet] = []

    def formset_class(self, formset: type[RecordFormSet]) -> type[RecordFormSet]:
        """`formset` made for this page: each formset of the class joins the page's as it is made."""
        made = type(formset.__name__, (formset,), {"page": self})
        assert issubclass(made, RecordFormSet)
        return made

    def of(self, model: type[models.Model]) -> RecordFormSet | None:
        """The page's formset of `model`'s rows, if the page shows them."""
        return next((formset for formset in self.formsets if formset.model is model), None)
