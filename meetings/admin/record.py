"""What the admins of a session's record share: a French text typed beside its Arabic, and the record
read-only once the session's minutes are signed (the session's page, and decisions' resolutions)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from ..models import AgendaItem, Session
from ..models.record import frozen_message


def is_frozen(session: Session) -> bool:
    """`Session.is_frozen`, asked once per session object: an admin page asks it for every permission
    check of every inline, on the one object it works with."""
    if not hasattr(session, "_frozen"):
        session._frozen = session.is_frozen
    return session._frozen


class FrenchBesideArabic:
    """The French version of a text (a `<field>_fr`) is typed left to right, in French, beside its Arabic."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name.endswith("_fr"):
            formfield.widget.attrs.update(lang="fr", dir="ltr")
        return formfield


class RecordInline(FrenchBesideArabic):
    """An inline of a session's record: read-only once the session's minutes are signed. In a table (a
    tabular inline), each row's fields are named for assistive technology by their column's heading, which
    is all a sighted user reads."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(self, admin.TabularInline):
            formfield.widget.attrs.setdefault("aria-label", str(formfield.label))
        return formfield

    def _open(self, obj) -> bool:
        return obj is None or not isinstance(obj, Session) or not is_frozen(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A row's agenda item is one of this session's.
        if db_field.name == "agenda_item":
            session_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = AgendaItem.objects.filter(session_id=session_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._open(obj) and super().has_delete_permission(request, obj)


class RecordAdmin(FrenchBesideArabic, admin.ModelAdmin):
    """The admin of a part of a session's record (the session, a resolution…): read-only once signed.

    Bulk deletion goes row by row through the model, whose delete() refuses a signed record; Django's
    default would delete the queryset in one statement, past that rule."""

    def _open(self, obj) -> bool:
        session = obj.record_session() if obj is not None else None
        return session is None or session.pk is None or not is_frozen(session)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._open(obj) and super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset) -> None:
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
    session may be renumbered together (reordered): see NumberedInSession.move_aside."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # a table's rows show the box under the column's heading only
            form.fields["DELETE"].widget.attrs.setdefault("aria-label", str(form.fields["DELETE"].label))

    def save_existing_objects(self, commit=True):
        number = getattr(self.model, "number_field", None)
        if number is not None and commit:
            moving = [
                form.instance
                for form in self.initial_forms
                if form.instance.pk and (self._should_delete_form(form) or number in form.changed_data)
            ]
            if moving:
                self.model.move_aside(moving)
        return super().save_existing_objects(commit)

    def get_unique_error_message(self, unique_check) -> str:
        labels = [
            str(self.model._meta.get_field(name).verbose_name)
            for name in unique_check
            if name != self.fk.name
        ]
        return super().get_unique_error_message(labels)
