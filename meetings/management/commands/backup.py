"""`python manage.py backup /backups/entraide-2026-12-02`: the database, the stored files and the signing
material in a new folder, each with its SHA-256 in manifest.json (meetings.operations.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meetings.operations.backup import BackupError, back_up


class Command(BaseCommand):
    help = "Back up the database, the stored files and the signing material into a new folder."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, help="a new (or empty) folder")

    def handle(self, *, folder: Path, **options) -> None:
        try:
            manifest = back_up(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up to {folder}: the {manifest['database']} database, {manifest['signed_versions']} "
            f"signed versions, {len(manifest['files'])} files with their SHA-256 in manifest.json, readable "
            "by their owner only. The signing key is in it encrypted: keep SIGNING_PASSPHRASE apart from "
            "the backup."
        )
        for name, size in manifest["sizes"].items():
            self.stdout.write(f"  {name}  {size:,} bytes")
