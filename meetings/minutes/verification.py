"""Is this PDF an authentic published minutes of this board? The answer /verify/ gives anyone.

The cryptography is `meetings.seal.signing.verify_pdf` (pyHanko, in a child process with time and memory
limits); this module adds what only the database knows: which published version has these exact bytes.
"""

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import ArchivedCopy, Minutes, Turn
from ..seal.personal import FIELDS
from ..seal.signing import MAX_VERIFY_BYTES, Status, Verification, verify_pdf


@dataclass(frozen=True)
class SignedBy:
    """A person's signature found in a copy: their name as their certificate gives it, the seat they held
    in the session (the approval's role), and the time their signature's timestamp proves."""

    seat: str
    name: str
    signed_at: datetime | None


@dataclass(frozen=True)
class Verdict:
    """authentic / modified / revoked / unknown / unreadable / too_large, with the version when it is
    known, and which of its files the copy is (`form`): "signed", the file as signed; "archived", one of
    its archived copies (`copy`); "maintained", the same signed content with other unsigned bytes (later
    archival maintenance, other padding, whitespace)."""

    outcome: str
    minutes: Minutes | None = None
    check: Verification | None = None
    form: str = ""
    copy: ArchivedCopy | None = None
    # Who signed the version before the seal, in signing order: its president and rapporteur.
    signed_by: tuple[SignedBy, ...] = ()

    @property
    def superseded_by(self) -> Minutes | None:
        return self.minutes.superseded_by(published_only=True) if self.minutes else None


def _too_large() -> str:
    return gettext("This file is too large to be minutes of this board (at most %(megabytes)d MB).") % {
        "megabytes": MAX_VERIFY_BYTES // (1024 * 1024)
    }


MESSAGES = {
    "authentic": _(
        "Authentic: this file is the published minutes below, signed and sealed as listed, and unchanged since."
    ),
    "modified": _(
        "Modified: this file was signed by the institution, but it has been changed since its signature. Do not rely on it."
    ),
    "revoked": _(
        "Revoked: this file was signed with the institution's certificate, but that certificate was revoked before the time its signature is proven to exist. Do not rely on it."
    ),
    "unconfirmed": _(
        "Not confirmed now: this file is the published minutes below, signed and sealed as listed and unchanged since, but whether a certificate was revoked since could not be checked just now. Check it again later before relying on it."
    ),
    "unapproved": _(
        "Not approved: this file carries the institution's seal, but not the valid signatures of the president and the rapporteur who approved it. Do not rely on it."
    ),
    "unknown": _("Unknown: this file is not a published minutes of this board."),
    "unreadable": _(
        "This file could not be read as a PDF (empty, damaged, encrypted or too complex to check)."
    ),
    # Lazy like the others: `_(...) % {...}` would translate once, at import, in whatever language was
    # active then, and show that language on every page.
    "too_large": lazy(_too_large, str)(),
    "too_many": _(
        "Too many files were checked from your address in the last minute: wait a minute, then try again."
    ),
    "busy": _("Every check the server runs at once is taken right now: try again in a minute."),
}
# What each verdict answers besides 200.
STATUS = {"too_large": 413, "too_many": 429, "busy": 503}

# Each check runs pyHanko in a child process for up to some seconds: one address gets a few a minute, so
# that a handful of clients cannot keep the server's cores busy with them (issue: 50 checks in 15 s slowed
# every page). The count is kept in the database, which every process and server shares (models.limits).
VERIFY_UPLOAD_OVERHEAD = 64 * 1024  # what a multipart form adds around the file


def takes_a_turn(address: str) -> bool:
    """Count one check for `address` in the current minute, across every process and server (the
    database's count); False once it has had its share."""
    return Turn.objects.take("verify", address) <= settings.VERIFICATIONS_PER_MINUTE


def seconds_to_the_next_minute() -> int:
    """When an address that had its share may check again (Retry-After)."""
    return 60 - int(time.time()) % 60


# And at most settings.VERIFICATIONS_AT_ONCE checks run at once on a server, whatever its processes and
# its clients: each check holds one of as many lock files (flock; the system releases it if the process
# dies). A check that finds them all taken waits VERIFICATION_WAIT_SECONDS, then is told to come back (503).
@contextmanager
def a_place_to_check() -> Iterator[bool]:
    folder = Path(settings.VERIFICATION_LOCKS)
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + settings.VERIFICATION_WAIT_SECONDS
    while True:
        for slot in range(settings.VERIFICATIONS_AT_ONCE):
            lock = os.open(folder / f"check-{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(lock)
                continue
            try:
                yield True
            finally:
                os.close(lock)  # which releases the lock
            return
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(0.2)


def check_copy(data: bytes) -> Verdict:
    """Compare a submitted file with the published versions, and check its signature independently."""
    if len(data) > MAX_VERIFY_BYTES:
        return Verdict("too_large")
    if not data:
        return Verdict("unreadable")
    with a_place_to_check() as placed:
        if not placed:
            return Verdict("busy")
        check = verify_pdf(data)
    return _judge_copy(check)


def _judge_copy(check: Verification) -> Verdict:
    if check.status == Status.REVOKED:
        return Verdict("revoked", None, check)
    if check.status in {Status.VALID, Status.VALID_WHEN_SIGNED}:
        # A version this board published, signed by the certificate pinned on it; a certificate that
        # has expired since counts (VALID_WHEN_SIGNED) only for such a version. A signature by a
        # certificate that never chained to the trust roots is never authentic, whatever row the
        # database holds for it (a forged one included).
        stored, form, copy = _published_version_of(check)
        if stored is None:
            return Verdict("unknown", None, check)
        signed_by = _signed_by_the_approvers(stored, check)
        if signed_by is None:
            return Verdict("unapproved", stored, check, form, copy)
        # Asked and not answered: the verdict says so itself, never a green «authentic» over a caveat.
        outcome = "unconfirmed" if check.revocation == "unknown" else "authentic"
        return Verdict(outcome, stored, check, form, copy, signed_by)
    if check.status in {Status.MODIFIED, Status.INVALID_SIGNATURE}:
        # «Modified» says the institution signed the file: only a certificate chaining to its trust roots
        # (then `signer` is named) shows that; a changed forgery is simply not one of its minutes.
        return Verdict("modified" if check.signer else "unknown", None, check)
    if check.status in {Status.UNREADABLE, Status.TIMEOUT}:
        return Verdict("unreadable", None, check)
    return Verdict("unknown", None, check)


def _signed_by_the_approvers(stored: Minutes, check: Verification) -> tuple[SignedBy, ...] | None:
    """The president's and the rapporteur's own signatures in the copy, in signing order, each sound, in
    the field of their seat, by the certificate recorded with their approval and in the name of the member
    who held the seat; None when one of them is not there. A version approved before approvals were
    signatures (meetings' migration 0030) has none to find: its seal alone vouches for it."""
    approvals = [a for a in stored.approvals.all() if a.withdrawn_at is None and a.certificate_sha256]
    found = {signer.field: signer for signer in check.signers if signer.sound}
    signed_by = []
    for approval in approvals:
        signer = found.get(FIELDS[approval.role])
        if signer is None or not approval.is_signed_by(signer):
            return None
        signed_by.append(SignedBy(approval.role_label, signer.name or "", signer.proven_at))
    return tuple(sorted(signed_by, key=lambda s: s.signed_at or datetime.max.replace(tzinfo=UTC)))


def _published_version_of(check: Verification) -> tuple[Minutes | None, str, ArchivedCopy | None]:
    """The published version (of this board) that the checked file is, and in which form."""
    # These very bytes, as signed or as archived, or the same signed content with other unsigned bytes.
    same = Q(sha256=check.sha256) | Q(archived_copies__sha256=check.sha256)
    if check.content_sha256:
        same |= Q(signed_content_sha256=check.content_sha256)
    found = (
        Minutes.objects.public()
        .filter(same)
        .filter(Q(signer_certificate_sha256="") | Q(signer_certificate_sha256=check.signer_sha256))
        .select_related("session")
        .prefetch_related("approvals__member")
        .distinct()
        .first()
    )
    if found is None:
        return None, "", None
    if found.sha256 == check.sha256:
        return found, "signed", None
    copy = found.archived_copies.filter(sha256=check.sha256).first()
    return found, "archived" if copy else "maintained", copy
