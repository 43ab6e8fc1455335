"""``manage.py restore <backup folder>``: pg_restore into a named database, untar the media, then check the result
(row counts, the transition log's chains, media hashes) in a process connected to the restored database."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.backups import BackupError, check_restored, database_url, read_manifest, restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder into a database (created when missing; one with tables is refused unless --force) "
        "and its media into a folder, then check counts, the transition log's chains and media hashes."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a backup folder (holding manifest.json)")
        parser.add_argument(
            "--database",
            default=os.environ.get("RESTORE_DATABASE", ""),
            help="the database to restore into, on the server of DATABASE_URL (default: RESTORE_DATABASE)",
        )
        parser.add_argument(
            "--media-dir",
            default=os.environ.get("RESTORE_MEDIA_DIR", ""),
            help="where the media files go (default: RESTORE_MEDIA_DIR, else MEDIA_ROOT)",
        )
        parser.add_argument("--force", action="store_true", help="restore over a database that has tables")
        parser.add_argument("--sample", type=int, help="check the hashes of this many random media files (default all)")
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="restore nothing: check the default database and --media-dir against the backup's manifest",
        )

    def handle(self, *args, folder, database, media_dir, force, sample, check_only, **options):
        media_dir = Path(media_dir or settings.MEDIA_ROOT)
        try:
            manifest = read_manifest(folder)
            if check_only:
                return self.check_copy(manifest, media_dir, sample)
            if not database:
                raise CommandError("name the database to restore into: --database NAME (or RESTORE_DATABASE)")
            params = restore(folder, database, media_dir, force=force, log=lambda line: self.stdout.write(line))
        except BackupError as error:
            raise CommandError(str(error)) from error
        # The checks run against the restored database: a new process whose DATABASE_URL names it.
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "restore", str(folder), "--check-only"]
        command += ["--media-dir", str(media_dir)] + (["--sample", str(sample)] if sample is not None else [])
        env = {**os.environ, "DATABASE_URL": database_url(params)}
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        self.stdout.write(result.stdout.rstrip())
        if result.returncode != 0:
            raise CommandError(f"the restored copy does not match the backup:\n{result.stderr.strip()}")
        self.stdout.write(self.style.SUCCESS(f"restored {folder} into {database}; media in {media_dir}"))
        return None

    def check_copy(self, manifest, media_dir, sample):
        mismatches, checked = check_restored(manifest, media_dir, sample=sample)
        self.stdout.write(json.dumps({"checked": checked, "mismatches": mismatches}, ensure_ascii=False))
        if mismatches:
            raise CommandError(f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:50]))
        self.stdout.write(
            self.style.SUCCESS(
                f"{checked['tables']} tables and {checked['rows']} log rows as in the backup, chains intact, "
                f"{checked['media_checked']} media files match"
            )
        )
