"""The follow-up report of a session: every earlier resolution still open, its status at this session.

When it prepares a session, the secretariat reports on the resolutions of earlier sessions that are not
yet carried out (`Resolution.objects.open_at`), all on one screen (see `admin.SessionWithDecisionsAdmin`).
Each row starts from the status last reported, so that only what changed needs a touch; saving records
it for this session. A resolution set «not reported» gets no follow-up row; the minutes' «تتبع تنفيذ
القرارات» section lists the rows that were recorded.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from meetings.models import Session

from .models import FollowUp, Resolution

NOT_REPORTED = ""


class FollowUpForm(forms.Form):
    """The status of one resolution as reported at the session, with a note."""

    # show_hidden_initial: a row counts as changed against what its user saw, not against what is recorded
    # when the form comes back, so a report another secretary saved meanwhile is not undone.
    status = forms.ChoiceField(
        label=_("Status at this session"),
        required=False,
        choices=[(NOT_REPORTED, _("— not reported —")), *FollowUp.Status.choices],
        show_hidden_initial=True,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=FollowUp._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40, "dir": "auto"}),
        show_hidden_initial=True,
    )
    note_fr = forms.CharField(
        label=_("Note in French"),
        required=False,
        max_length=FollowUp._meta.get_field("note_fr").max_length,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40, "dir": "ltr", "lang": "fr"}),
        show_hidden_initial=True,
    )

    def __init__(self, data, *, resolution: Resolution, recorded: FollowUp | None) -> None:
        if recorded is not None:
            initial = {"status": recorded.status, "note": recorded.note, "note_fr": recorded.note_fr}
        else:
            initial = {"status": resolution.latest_status or NOT_REPORTED}
        super().__init__(data, prefix=f"resolution-{resolution.pk}", initial=initial)
        self.resolution = resolution
        self.recorded = recorded
        # Not yet reported at this session, the row offers the last status: kept as it is, it is still
        # reported, since the secretariat saw it and let it stand.
        self.offers_last_status = recorded is None and bool(resolution.latest_status)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label} — {resolution.number}"

    def is_posted(self) -> bool:
        return self.add_initial_prefix("status") in self.data

    def is_reported(self) -> bool:
        """Whether saving the report touches this row: changed by its user, or reported as offered."""
        if not self.is_posted():
            return False  # a row the request does not hold (a crafted or cut-short post) stays as it is
        return self.has_changed() or (self.offers_last_status and self.cleaned_data["status"] != NOT_REPORTED)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (data.get("note") or data.get("note_fr")) and not data.get("status"):
            self.add_error("status", _("Choose a status for this note, or clear the note."))
        return data

    def save(self, session: Session) -> None:
        """Record, change or remove this resolution's follow-up at `session`. A signed record refuses
        with a ValidationError (see Session.lock_record)."""
        status = self.cleaned_data["status"]
        if status == NOT_REPORTED:
            if self.recorded is not None:
                self.recorded.delete()
            return
        follow_up = self.recorded or FollowUp(resolution=self.resolution, session=session)
        follow_up.status = status
        follow_up.note, follow_up.note_fr = self.cleaned_data["note"], self.cleaned_data["note_fr"]
        follow_up.full_clean()
        follow_up.save()


class FollowUpReport:
    """One form per resolution open at `session`, oldest first, in the order of their numbers."""

    def __init__(self, session: Session, data=None) -> None:
        self.session = session
        recorded = {follow_up.resolution_id: follow_up for follow_up in session.follow_ups.all()}
        resolutions = (
            Resolution.objects.open_at(session)
            .with_overdue(session.date)
            .select_related("session")
            .order_by("session__date", "session__ordinal", "sequence")
        )
        self.forms = [
            FollowUpForm(data, resolution=resolution, recorded=recorded.get(resolution.pk))
            for resolution in resolutions
        ]

    def __iter__(self):
        return iter(self.forms)

    def __len__(self) -> int:
        return len(self.forms)

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.forms])  # a list: every form shows its errors

    @property
    def has_errors(self) -> bool:
        return any(form.errors for form in self.forms)

    def reported(self) -> list[FollowUpForm]:
        return [form for form in self.forms if form.is_reported()]

    @transaction.atomic
    def save(self) -> bool:
        """Save the changed rows, all or none. When one is refused (the record was signed meanwhile, or
        the row no longer fits), its form shows why, nothing is saved and the result is False.

        The session's row is locked, and what is recorded read again under the lock, so that two
        secretaries saving at once change the same follow-up one after the other instead of both adding it."""
        Session.objects.select_for_update().get(pk=self.session.pk)
        recorded = {follow_up.resolution_id: follow_up for follow_up in self.session.follow_ups.all()}
        for form in self.reported():
            form.recorded = recorded.get(form.resolution.pk)
            if form.recorded is not None and not form.has_changed():
                continue  # offered the last status, but another secretary reported the row meanwhile
            try:
                form.save(self.session)
            except ValidationError as refusal:
                form.add_error(None, refusal.messages)
        if self.has_errors:
            transaction.set_rollback(True)
            return False
        return True
