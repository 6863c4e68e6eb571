"""Archival maintenance: each signed version's proof of time renewed before it lapses (PAdES B-LTA).

A signed file's last document timestamp can be checked as long as the timestamp authority's certificate
is valid. Before it expires (RENEW_AHEAD ahead), `renew` extends the newest file of the version
(meetings.signing.extend_pdf) and keeps the result as a new archived copy. Each signature and each
renewal queues the next renewal of its version in the task queue, for the day it is due; the command
`renew_timestamps` renews at once every version whose timestamp expires before a given date (a set date,
such as an algorithm's end of life, or catching up).
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import ArchivedCopy, Minutes
from .signing import extend_pdf, last_timestamp, sha256_hex

# Renewed this long before the timestamp's certificate expires: time for a failed renewal (the authority
# away, say) to be noticed and retried.
RENEW_AHEAD = datetime.timedelta(days=180)


def stored_bytes(stored: Minutes | ArchivedCopy) -> bytes:
    with stored.pdf.open("rb") as file:
        return file.read()


def expires_on(minutes: Minutes) -> datetime.datetime:
    """When the certificate of the last timestamp of the version's newest file expires."""
    _timestamped_at, expires = last_timestamp(stored_bytes(minutes.newest_copy()))
    return expires


def signed_versions():
    return Minutes.objects.exclude(pdf="").exclude(sha256="").select_related("session")


def renew(minutes: Minutes) -> ArchivedCopy:
    """Extend the newest file of a signed version (new validation data, a new document timestamp) and
    keep it as an archived copy; queue the next renewal. The copy's file is removed if it is not kept."""
    extended = extend_pdf(stored_bytes(minutes.newest_copy()))
    sha256 = sha256_hex(extended)
    timestamped_at, expires = last_timestamp(extended)
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
            renew_later(minutes, on=expires - RENEW_AHEAD)
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
    queued its own next one and makes this one early)."""
    minutes = signed_versions().filter(pk=minutes_id).first()
    if minutes is None or expires_on(minutes) - RENEW_AHEAD > timezone.now():
        return "not due"
    return f"renewed: {renew(minutes).sha256}"


def renew_expiring_before(date: datetime.datetime) -> list[ArchivedCopy]:
    """Renew every signed version whose last timestamp's certificate expires before `date`."""
    return [renew(minutes) for minutes in signed_versions().order_by("pk") if expires_on(minutes) < date]
