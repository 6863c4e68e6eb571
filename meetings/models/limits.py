"""Limits counted in the database, which every process of every server shares: without a shared cache
(CACHE_URL), a count kept in each process's memory would let one address have its share once per process.
"""

import time

from django.db import connection, models
from django.utils.translation import gettext_lazy as _


class TurnQuerySet(models.QuerySet):
    def take(self, what: str, address: str) -> int:
        """Count one `what` (a /verify/ check) for `address` in the current minute; how many it has had
        this minute, this one included. One statement, atomic whatever the processes: PostgreSQL's and
        SQLite's INSERT … ON CONFLICT DO UPDATE … RETURNING."""
        minute = int(time.time() // 60)
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (what, address, minute, count) VALUES (%s, %s, %s, 1) "
                f"ON CONFLICT (what, address, minute) DO UPDATE SET count = {table}.count + 1 RETURNING count",
                [what, address[:64], minute],
            )
            (count,) = cursor.fetchone()
        if count == 1:  # once per address and minute: the minutes gone by are forgotten
            self.filter(minute__lt=minute - 1).delete()
        return count


class Turn(models.Model):
    """How many times one address had one limited thing (a /verify/ check) in one minute."""

    what = models.CharField(_("what"), max_length=20)
    address = models.CharField(_("address"), max_length=64)
    minute = models.BigIntegerField(_("minute"), db_index=True)  # since the epoch
    count = models.PositiveIntegerField(_("count"), default=0)

    objects = TurnQuerySet.as_manager()

    class Meta:
        verbose_name = _("turn")
        verbose_name_plural = _("turns")
        constraints = [
            models.UniqueConstraint(fields=["what", "address", "minute"], name="turn_once_a_minute")
        ]

    def __str__(self) -> str:
        return f"{self.what} {self.address} {self.minute}: {self.count}"
