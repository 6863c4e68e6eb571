"""Archival maintenance: each signed version's proof of time renewed before it lapses (PAdES B-LTA).

A signed file's last document timestamp can be checked as long as the timestamp authority's certificate
is valid. Before it expires (RENEW_AHEAD ahead), `renew` extends the newest file of the version
(meetings.seal.signing.extend_pdf) and keeps the result as a new archived copy. Each signature and each
renewal queues the next renewal of its version in the task queue, for the day it is due; a queued renewal
that fails, or that would extend nothing, queues its next attempt, so that a version is never left without
one. The command `renew_timestamps` renews at once every version whose timestamp expires before a given
date (a set date, such as an algorithm's end of life, or catching up).
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ..models import ArchivedCopy, Minutes
from ..seal.signing import extend_pdf, last_timestamp, sha256_hex

# Renewed this long before the timestamp's certificate expires: time for a failed renewal (the authority
# away, say) to be noticed and retried.
RENEW_AHEAD = datetime.timedelta(days=180)
# A queued renewal that failed, or whose new timestamp would expire no later than the last one's (the
# authority still signs with the certificate that is expiring), is tried again this much later, each day
# until one extends the proof; so is the next of a renewal that lapses within RENEW_AHEAD. Never a loop of
# attempts at once, never a version left with no next one.
RETRY_AFTER = datetime.timedelta(days=1)


class ExtendsNothing(Exception):
    """A renewal whose new timestamp expires no later than the one it was to outlast."""


def stored_bytes(stored: Minutes | ArchivedCopy) -> bytes:
    with stored.pdf.open("rb") as file:
        return file.read()


def expires_on(minutes: Minutes) -> datetime.datetime:
    """When the certificate of the last timestamp of the version's newest file expires."""
    _timestamped_at, expires = last_timestamp(stored_bytes(minutes.newest_copy()))
    return expires


def signed_versions():
    return Minutes.objects.exclude(pdf="").exclude(sha256="").select_related("session")


def renew(minutes: Minutes, *, beyond: datetime.datetime | None = None) -> ArchivedCopy:
    """Extend the newest file of a signed version (new validation data, a new document timestamp) and
    keep it as an archived copy; queue the next renewal. With `beyond`, an extension whose timestamp
    expires no later than that is not kept (ExtendsNothing). The copy's file is removed if it is not
    kept."""
    extended = extend_pdf(stored_bytes(minutes.newest_copy()))
    sha256 = sha256_hex(extended)
    timestamped_at, expires = last_timestamp(extended)
    assert timestamped_at is not None  # extend_pdf has just added a document timestamp
    if beyond is not None and expires <= beyond:
        raise ExtendsNothing(
            f"{minutes}: the timestamp authority's certificate expires on {expires:%Y-%m-%d}, no later than "
            f"the last timestamp's ({beyond:%Y-%m-%d}); SIGNING_TSA_URL needs an authority whose "
            "certificate lasts longer"
        )
    session = minutes.session
    field = ArchivedCopy._meta.get_field("pdf")
    name = field.generate_filename(
        None, f"{session.year}-{session.ordinal}-v{minutes.version}-{sha256[:12]}.pdf"
    )
    name = field.storage.save(name, ContentFile(extended))
    try:
        with transaction.atomic():
            copy = ArchivedCopy.objects.create(
                minutes=minutes, pdf=name, sha256=sha256, timestamped_at=timestamped_at, renew_by=expires
            )
            renew_later(minutes, on=max(expires - RENEW_AHEAD, timezone.now() + RETRY_AFTER))
    except BaseException:
        field.storage.delete(name)
        raise
    return copy


def renew_later(minutes: Minutes, *, on: datetime.datetime) -> None:
    """Queue the renewal of a version for the day it is due: a row of the task queue, written in the
    transaction of what caused it (a signature, a renewal)."""
    renew_when_due.using(run_after=on).enqueue(minutes.pk)


@task()
def renew_when_due(minutes_id: int) -> str:
    """The queued renewal of one version: done if it is still due (an earlier renewal, by the command,
    queued its own next one and makes this one early), and kept if it outlasts the last timestamp. If it
    fails, or extends nothing, the next attempt is queued (RETRY_AFTER) and the task fails, logged with
    its reason by the worker."""
    minutes = signed_versions().filter(pk=minutes_id).first()
    if minutes is None:
        return "not due"
    expires = expires_on(minutes)
    if expires - RENEW_AHEAD > timezone.now():
        return "not due"
    try:
        copy = renew(minutes, beyond=expires)
    except Exception:
        renew_later(minutes, on=timezone.now() + RETRY_AFTER)
        raise
    return f"renewed: {copy.sha256}"


def renew_expiring_before(date: datetime.datetime) -> list[ArchivedCopy]:
    """Renew every signed version whose last timestamp's certificate expires before `date`."""
    return [renew(minutes) for minutes in signed_versions().order_by("pk") if expires_on(minutes) < date]
