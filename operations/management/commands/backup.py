"""``manage.py backup``: pg_dump -Fc, the media files and a manifest into BACKUP_DIR (operations/backups.py)."""

from django.core.management.base import BaseCommand, CommandError

from operations.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc) and the media files into a timestamped folder with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--destination", help="the folder holding the backups (default: BACKUP_DIR)")
        parser.add_argument("--keep", type=int, help="how many backups to keep (default: BACKUP_KEEP)")

    def handle(self, *args, destination=None, keep=None, **options):
        try:
            folder = backup(destination, keep, log=lambda line: self.stdout.write(line))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"backup written to {folder}"))
        return None
