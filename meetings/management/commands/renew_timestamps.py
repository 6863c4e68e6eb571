"""Renew the document timestamps of the signed versions that expire before a date (meetings.minutes.archive).

The task queue renews each version on its own, RENEW_AHEAD before its timestamp's certificate expires.
This command is for the rest: a set date (an algorithm's announced end, a provider's change), or catching
up after the queue was stopped. Each renewal is kept as an archived copy beside the signed original.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from meetings.minutes.archive import RENEW_AHEAD, renew_expiring_before


class Command(BaseCommand):
    help = "Extend with a new document timestamp every signed version whose timestamp expires before a date."

    def add_arguments(self, parser):
        parser.add_argument(
            "--before",
            help="renew each version whose last timestamp's certificate expires before this date (YYYY-MM-DD); "
            f"by default, within {RENEW_AHEAD.days} days (what the task queue renews when due)",
        )

    def handle(self, *args, before: str | None = None, **options):
        copies = renew_expiring_before(timezone.now() + RENEW_AHEAD if before is None else self._date(before))
        for copy in copies:
            self.stdout.write(
                f"{copy.minutes}: {copy.pdf.name} ({copy.sha256}), to renew before {copy.renew_by:%Y-%m-%d}"
            )
        self.stdout.write(f"{len(copies)} signed versions renewed.")

    def _date(self, text: str) -> datetime.datetime:
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(f"--before {text!r} is not a date (YYYY-MM-DD).") from exc
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
