"""A row of the session page that names its agenda item by the item's number, as the agenda on the same
page numbers it (a resolution, a document): so it can name an item not saved yet, on the add page or added
beside it, and is tied to it once the agenda is saved (the agenda's inline saves before the others).
The page's script (static/admin/meetings/session_form.js) keeps the choices in step as the agenda is typed."""

from functools import cached_property
from typing import Any

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from ..models import AgendaItem
from ..text.bidi import without_bidi_controls
from .record import RecordFormSet


class NamesAgendaItemByNumber(forms.ModelForm):
    """The form of a row with an `agenda_item`: chosen by number (see the module's docstring)."""

    agenda_item = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("The agenda on this page has no item %(value)s.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].label = self._meta.model._meta.get_field("agenda_item").verbose_name
        if self.instance.agenda_item_id:
            self.initial["agenda_item"] = self.instance.agenda_item.position

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # Not a model value: the item it names may not exist yet (see save()). The instance hears it too,
        # for the rules that depend on the item (a resolution's quorum, decisions.admin).
        self.agenda_position = self.instance.agenda_position = data.pop("agenda_item", None)
        return data

    def save(self, commit: bool = True):
        position = getattr(self, "agenda_position", None)
        self.instance.agenda_item = (
            AgendaItem.objects.filter(session=self.instance.session, position=position).first()
            if position is not None
            else None
        )
        return super().save(commit)


class AgendaChoicesFormSet(RecordFormSet):
    """Offers its forms the agenda items of the same page, by their numbers. The page's other formsets are
    `self.page`'s (SessionAdmin.get_formsets_with_inlines), the agenda's made before this one."""

    @cached_property
    def agenda_choices(self) -> list[tuple[int | str, str]]:
        """Worked out for the first form made, once: the page's agenda is complete by then."""
        if self.page is None:
            return []  # not on a session's page: no agenda to name
        agenda = self.page.of(AgendaItem)
        return [("", "---------"), *(planned_agenda(agenda) if agenda is not None else [])]

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        agenda_item = form.fields["agenda_item"]
        assert isinstance(agenda_item, forms.TypedChoiceField)  # NamesAgendaItemByNumber's
        agenda_item.choices = self.agenda_choices


def planned_agenda(agenda: BaseInlineFormSet) -> list[tuple[int, str]]:
    """(number, «number. title») of the agenda items as the page's agenda will number them once saved:
    posted, the rows kept, an unnumbered one taking the next number in the order they are saved (the
    saved rows first, see NumberedInSession); shown, the items as they stand."""
    if not agenda.is_bound:
        rows = [(form.initial.get("position"), form.initial.get("title", "")) for form in agenda.forms]
    elif agenda.is_valid():
        kept = [form for form in agenda.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        kept.sort(key=lambda form: form.instance.pk is None)
        rows = [(form.cleaned_data.get("position"), form.cleaned_data.get("title", "")) for form in kept]
    else:
        # The agenda shows its own errors; the rows keep the numbers they were given meanwhile.
        rows = [(_number(form["position"].value()), form["title"].value() or "") for form in agenda.forms]
    last = max((number for number, _title in rows if number), default=0)
    numbered = []
    for number, title in rows:
        if not number:
            last = number = last + 1
        numbered.append((number, f"{number}. {without_bidi_controls(title)}"))
    return sorted(numbered)


def _number(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None
