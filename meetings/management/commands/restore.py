"""`python manage.py restore /backups/entraide-2026-12-02`: a backup (`manage.py backup`) back into the
configured, empty, database and storage, then every signed file checked (meetings.operations.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meetings.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database and storage, and check every signed file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, help="a folder written by `manage.py backup`")

    def handle(self, *, folder: Path, **options) -> None:
        try:
            restored = restore(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored from {folder}: {restored.signed_versions} signed versions, each file checked "
            f"against its SHA-256; {restored.files} stored files."
        )
