"""The record of a session: the rows that make it up, the data they amount to, and its fingerprint.

The rows of a session (the session itself, its attendance, agenda items, documents; in `decisions`, its
resolutions and follow-ups) are the secretariat's working copy. Each is a `RecordRow`: its changes go
through the session (`Session.lock_record`, `Session.record_changed`), which refuses them once the
minutes are signed and withdraws approvals given to the record as it was.

`session_record` turns a session, loaded with `Session.objects.with_record()`, into plain data: what the
minutes show, attached to the signed PDF as `session.json` and kept with the signed version as its
snapshot (`Minutes.record`), from which every public page of a published session is drawn.
`record_fingerprint` hashes that data with who approves it: an approval is given to one fingerprint.

This module imports only `board`: the record is described here in terms of what a session offers.
"""

import datetime
import hashlib
import json
from typing import TYPE_CHECKING, Self

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..text.search import normalize
from .duties import APPROVING_ROLES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The long texts people type have limits a real record never reaches (the December 2025 session's whole
# account is under 2,000 characters) but that bound the work of printing them: the help text says it, the
# form checks it, and the database refuses a longer text from anywhere (`at_most`).
SHORT_TEXT = 5_000  # a comment and its answer
NOTE_TEXT = 10_000  # a follow-up's note
TEXT = 20_000  # an opening, a summary
RESOLUTION_TEXT = 50_000  # a resolution's operative text
LONG_TEXT = 100_000  # a deliberation, some 40 printed pages


def _limit_said(limit: int) -> str:
    return gettext("At most %(count)s characters.") % {"count": f"{limit:,}".replace(",", "\u202f")}


def limit_help(limit: int, help_text: "StrOrPromise" = "") -> "StrOrPromise":
    """The field's help text, with its limit said after it."""
    said = lazy(_limit_said, str)(limit)
    return format_lazy("{} {}", help_text, said) if help_text else said


def at_most(field: str, limit: int) -> models.CheckConstraint:
    """The database's refusal of a text longer than its field's limit, whoever writes it."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=f"%(class)s_{field}_at_most_{limit}",
        violation_error_message=limit_help(limit),
    )


def frozen_message() -> str:
    return str(
        _(
            "The minutes of this session are signed: the record can no longer change. "
            "A correction is made in a new version of the minutes."
        )
    )


class RecordRow(models.Model):
    """A part of a session's record: refused once the session's minutes are signed, and a change to it
    withdraws the approvals given before (see `Session.lock_record` and `Session.record_changed`).

    A row of a written consultation's draft (`consultation_draft`: a resolution, a document) is kept as
    the members read it once the consultation is put to them: none added or removed, none changed but for
    the fields its closing writes (`written_at_closing`). Meetings' migration 0037 says the same to the
    database."""

    consultation_draft = False
    written_at_closing: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # One transaction, in which the check locks the minutes' row: a signature under way finishes
        # first, and the change is then refused instead of slipping in under it.
        with transaction.atomic():
            session = self._saved_session()
            if session is not None:
                session.lock_record()
                self._check_draft_kept(session, deleting=False)
            super().save(*args, **kwargs)
            if session is not None:
                session.record_changed()

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            session = self._saved_session()
            if session is not None:
                session.lock_record()
                self._check_draft_kept(session, deleting=True)
            deleted = super().delete(*args, **kwargs)
            if session is not None and session is not self:
                session.record_changed()
        return deleted

    def record_session(self):
        """The session this row belongs to (a Session is its own)."""
        return parent_session(self)

    def clean(self) -> None:
        session = self._saved_session()
        if session is not None and session.is_frozen:
            raise ValidationError(frozen_message(), code="frozen")

    def _saved_session(self):
        session = self.record_session()
        return session if session is not None and session.pk else None

    def _check_draft_kept(self, session, *, deleting: bool) -> None:
        if not self.consultation_draft or not session.was_put_to_members():
            return
        if not deleting and self.pk is not None:
            fields = [f for f in self._meta.concrete_fields if f.attname not in self.written_at_closing]
            stored = type(self)._base_manager.filter(pk=self.pk).values(*(f.attname for f in fields)).first()
            if stored is not None and all(getattr(self, f.attname) == stored[f.attname] for f in fields):
                return
        raise ValidationError(
            _("The members were given this draft to answer: it no longer changes."), code="put_to_members"
        )


def parent_session(row: models.Model):
    """The session a child row belongs to, even when the admin validates it before saving the session
    (a Session, or None: not annotated, since `session` imports this module)."""
    field = row._meta.get_field("session")  # each kind of row has its own foreign key to its session
    try:
        return getattr(row, field.name)
    except ObjectDoesNotExist:  # the session's DoesNotExist: none yet
        return None


class NumberedInSession(models.Model):
    """A row numbered within its session (an agenda item's position, a resolution's sequence): left
    empty, it takes the number after the session's last, so that the secretariat need not count.

    Rows renumbered together (two items swapping places) are first moved aside, to numbers from
    `ASIDE` up, one statement each, then saved with their new numbers: the session's numbers stay unique
    at every step (`move_aside`)."""

    number_field: str
    session_id: int  # each kind of row has its own foreign key to its session
    ASIDE = 30000

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if getattr(self, self.number_field) is None:
            # The lookups are the concrete model's: this abstract one has neither field.
            numbers = type(self)._default_manager.filter(
                **{"session_id": self.session_id, f"{self.number_field}__lt": self.ASIDE}
            )
            last = numbers.aggregate(last=models.Max(self.number_field))["last"] or 0
            setattr(self, self.number_field, last + 1)
        super().save(*args, **kwargs)

    @classmethod
    def move_aside(cls, rows: "list[NumberedInSession]") -> None:
        """Give `rows` (saved rows about to be renumbered or deleted) numbers no row is kept at, in the
        database only: each is then saved (or deleted) as usual, and no two rows share a number between."""
        for n, row in enumerate(rows):
            cls._default_manager.filter(pk=row.pk).update(**{cls.number_field: cls.ASIDE + n})


class Searchable(models.Model):
    """A row found by the Arabic-aware search: `search_text` is its `searched_fields`, normalised on save."""

    searched_fields: tuple[str, ...] = ()

    search_text = models.TextField(_("search text"), blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.fill_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(self.searched_fields) & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def fill_search_text(self) -> None:
        """Set `search_text` from `searched_fields`: save() calls it, and so must whatever bypasses
        save() (bulk_create)."""
        self.search_text = normalize(" ".join(getattr(self, name) or "" for name in self.searched_fields))


class SearchQuerySet(models.QuerySet):
    """Rows of a Searchable model."""

    def search(self, terms: list[str]) -> Self:
        """Rows whose `search_text` holds every term of `meetings.text.search.query_terms`."""
        found = self
        for term in terms:
            found = found.filter(search_text__contains=term)
        return found


# The data of the record ------------------------------------------------------------------------------

NAME_FIELDS = ("name_ar", "name_fr", "title_ar", "title_fr")


def _person(member) -> dict | None:
    """A person as the record names them; their gender only when known (as `_french`, so that a record
    that names none keeps its fingerprint)."""
    if member is None:
        return None
    return {
        **{field: getattr(member, field) for field in NAME_FIELDS},
        **({"gender": member.gender} if member.gender else {}),
    }


def _french(row, *fields: str) -> dict:
    """The French versions of `fields` that the secretariat entered, as `<field>_fr` keys. Only those
    entered: a record without French (any signed before French versions existed) keeps its shape, hence
    its fingerprint and the approvals given to it."""
    return {f"{field}_fr": value for field in fields if (value := getattr(row, f"{field}_fr"))}


def _time(value) -> str | None:
    return value.isoformat("minutes") if value else None


def session_record(session) -> dict:
    """Everything the minutes of `session` (loaded with `Session.objects.with_record()`) show, as plain
    data: attached to the PDF as `session.json`, kept at signature as the version's snapshot, and read
    back by the public pages (`Minutes.signed_session`). Lists are sorted here, not by a model's default
    order: what is hashed must not move with a Meta change."""
    seats = {seat.member_id: seat for seat in session.seats}
    quorum = session.quorum()
    return {
        "board": {
            "name_ar": session.board.name_ar,
            "name_fr": session.board.name_fr,
            "institution_ar": session.board.institution_ar,
            "institution_fr": session.board.institution_fr,
        },
        "session": {
            "year": session.year,
            "ordinal": session.ordinal,
            "kind": session.kind,
            "title": session.title,
            "date": session.date.isoformat(),
            "start_time": _time(session.start_time),
            "end_time": _time(session.end_time),
            "place": session.place,
            **_french(session, "place"),
            "chair": session.chair.name_ar if session.chair else None,
            "chaired_by": _person(session.chair),
            "opening": session.opening,
            **_french(session, "opening"),
        },
        "rules": session.rules,
        "quorum": quorum.as_record(),
        "attendance": [
            {
                "name": a.member.name_ar,
                "title": a.member.title_ar,
                "member": _person(a.member),
                "role": seats[a.member_id].role if a.member_id in seats else None,
                "status": a.status,
                "proxy": a.proxy.name_ar if a.proxy else None,
                "proxy_member": _person(a.proxy),
            }
            for a in sorted(session.attendances.all(), key=lambda a: a.pk)
        ],
        "agenda": [
            {
                "position": item.position,
                "title": item.title,
                **_french(item, "title"),
                "presenter": item.presenter,
                "summary": item.summary,
                "deliberation": item.deliberation,
                **_french(item, "presenter", "summary", "deliberation"),
                **_declarations(session, item),
            }
            for item in sorted(session.agenda_items.all(), key=lambda item: item.position)
        ],
        "resolutions": [
            {
                "number": r.number,
                "sequence": r.sequence,
                "agenda_item": r.agenda_item.position if r.agenda_item else None,
                "title": r.title,
                "text": r.text,
                "unanimous": r.unanimous,
                "votes": {"for": r.votes_for, "against": r.votes_against, "abstain": r.votes_abstain},
                "outcome": r.outcome,
                "responsible_unit": r.responsible_unit,
                "due_date": r.due_date.isoformat() if r.due_date else None,
                **_french(r, "title", "text", "responsible_unit"),
            }
            for r in sorted(session.resolutions.all(), key=lambda r: r.sequence)
        ],
        "follow_ups": [
            {
                "resolution": f.resolution.number,
                "resolution_parts": list(f.resolution.number_parts),
                "resolution_title": f.resolution.title,
                "resolution_outcome": f.resolution.outcome,
                "resolution_due_date": f.resolution.due_date.isoformat() if f.resolution.due_date else None,
                "status": f.status,
                "note": f.note,
                **_french(f, "note"),
                **({"resolution_title_fr": f.resolution.title_fr} if f.resolution.title_fr else {}),
            }
            for f in sorted(session.follow_ups.all(), key=lambda f: f.resolution.number_parts)
        ],
        **_written(session),
    }


def _written(session) -> dict:
    """A written consultation's: when it was put to the members and closed, the board's majority, and each
    member's answer (meetings.convocation.written); nothing for a session."""
    if session.kind != "written":
        return {}
    votes = sorted(session.written_votes.select_related("member"), key=lambda v: v.member.name_ar)
    return {
        "written": {
            "submitted_at": session.submitted_at.isoformat() if session.submitted_at else None,
            "closes_at": session.closes_at.isoformat(),
            "closed_at": session.closed_at.isoformat() if session.closed_at else None,
            "majority": session.board.written_majority,
            "votes": [{"member": _person(v.member), "choice": v.choice} for v in votes],
        }
    }


def _declarations(session, item) -> dict:
    """The declarations of interest in an agenda item, and the quorum that applied to it without the
    members who made them; nothing where none was made (a record without any keeps its shape)."""
    declared = sorted(item.declared, key=lambda d: d.pk)
    if not declared:
        return {}
    return {
        "declarations": [
            {"member": _person(d.member), "reason": d.reason, "source": d.source} for d in declared
        ],
        "quorum": session.item_quorum(item).as_record(),
    }


# Reading the record back: the fields of the models that show it (in memory, Minutes.signed_session; as
# rows the public queries, meetings.models.published and decisions.PublishedResolution).

_AGENDA_FIELDS = ("position", "title", "presenter", "summary", "deliberation")
_AGENDA_FRENCH = ("title", "presenter", "summary", "deliberation")


def _french_of(data: dict, *fields: str) -> dict:
    """The `<field>_fr` values of a part of the record, empty where it has none (see `_french`)."""
    return {f"{field}_fr": data.get(f"{field}_fr", "") for field in fields}


def agenda_fields(item: dict) -> dict:
    """One of the record's agenda items as an AgendaItem (or a PublishedAgendaItem) takes it."""
    return {**{field: item[field] for field in _AGENDA_FIELDS}, **_french_of(item, *_AGENDA_FRENCH)}


def follow_up_fields(follow_up: dict) -> dict:
    """What one of the record's follow-ups says (status and note), as a FollowUp takes it."""
    return {"status": follow_up["status"], "note": follow_up["note"], **_french_of(follow_up, "note")}


# The rules of a record signed before the record kept them: those the product then applied.
EARLIER_RULES = {"signed_by": list(APPROVING_ROLES)}


def record_rules(record: dict) -> dict:
    """The board's rules the record applied (`Board.rules`); a record signed before it kept them says
    only who signed."""
    return record.get("rules", EARLIER_RULES)


def record_date(value: str | None) -> datetime.date | None:
    """A date as the record writes it (ISO 8601, or None)."""
    return datetime.date.fromisoformat(value) if value else None


def session_fields(record: dict) -> dict:
    """The session's facts as a Session (or a PublishedSession) takes them."""
    facts = record["session"]
    return {
        "year": facts["year"],
        "ordinal": facts["ordinal"],
        "kind": facts["kind"],
        "date": record_date(facts["date"]),
        "start_time": datetime.time.fromisoformat(facts["start_time"]) if facts["start_time"] else None,
        "end_time": datetime.time.fromisoformat(facts["end_time"]) if facts["end_time"] else None,
        "place": facts["place"],
        **_french_of(facts, "place"),
    }


def opening_fields(record: dict) -> dict:
    """The session's opening, and its French version, as a Session takes them (a PublishedSession keeps
    none: the public page reads the opening from the record itself, `Minutes.signed_session`)."""
    facts = record["session"]
    return {"opening": facts["opening"], **_french_of(facts, "opening")}


def resolution_fields(resolution: dict) -> dict:
    """One of the record's resolutions as a Resolution (or a PublishedResolution) takes it."""
    return {
        "sequence": resolution["sequence"],
        "title": resolution["title"],
        "text": resolution["text"],
        "unanimous": resolution["unanimous"],
        "votes_for": resolution["votes"]["for"],
        "votes_against": resolution["votes"]["against"],
        "votes_abstain": resolution["votes"]["abstain"],
        "outcome": resolution["outcome"],
        "responsible_unit": resolution["responsible_unit"],
        "due_date": record_date(resolution["due_date"]),
        **_french_of(resolution, "title", "text", "responsible_unit"),
    }


def approving_seats(session) -> list[dict]:
    """Who holds the approving seats on the session's date, and through which account: part of what an
    approval vouches for, so that a change of seat or account withdraws it."""
    return sorted(
        (
            {"role": seat.role, "member": seat.member_id, "user": seat.member.user_id}
            for seat in session.seats
            if seat.role in APPROVING_ROLES
        ),
        key=lambda seat: (seat["role"], seat["member"]),
    )


def record_fingerprint(session, record: dict | None = None) -> str:
    """A hash of everything the minutes show and of who approves them: approvals are given to one
    fingerprint. `record` is `session_record(session)` when the caller has it already."""
    data = {
        "record": record if record is not None else session_record(session),
        "approvers": approving_seats(session),
    }
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
