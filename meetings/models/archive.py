"""The archive of a signed version: its file as archival maintenance extends it, copy after copy.

A PAdES B-LTA signature stays verifiable as long as its last document timestamp can be checked, that is
until the timestamp authority's certificate expires. Before then, maintenance adds that timestamp's
validation data and a new document timestamp (meetings.seal.signing.extend_pdf): a new file, which starts with
the previous one byte for byte. Each such copy is kept with its SHA-256 beside the signed original, which
never changes; on PostgreSQL the database refuses to change or delete a copy (migration 0026).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .minutes import Minutes


class ArchivedCopy(models.Model):
    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.PROTECT, related_name="archived_copies"
    )
    pdf = models.FileField(_("extended PDF"), upload_to="minutes/archived/")
    sha256 = models.CharField(_("SHA-256 of the extended PDF"), max_length=64, unique=True)
    timestamped_at = models.DateTimeField(_("timestamped at"))
    # When the certificate of this copy's new timestamp expires: the next copy is due before then.
    renew_by = models.DateTimeField(_("to be renewed before"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("archived copy")
        verbose_name_plural = _("archived copies")
        ordering = ["minutes", "timestamped_at"]
        get_latest_by = "timestamped_at"

    def __str__(self) -> str:
        return f"{self.minutes} — {self.timestamped_at:%Y-%m-%d}"


def newest_copy_hash(minutes) -> models.Subquery:
    """The SHA-256 of the newest archived copy of `minutes` (an OuterRef), None if there is none: the copy
    `Minutes.newest_copy` picks, named in the query that finds the version."""
    copies = ArchivedCopy.objects.filter(minutes=minutes).order_by("-timestamped_at")
    return models.Subquery(copies.values("sha256")[:1])
