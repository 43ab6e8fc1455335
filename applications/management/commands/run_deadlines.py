import contextlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from greenfactory.sweeps import SWEEPS, parse_as_of, run_sweep


class Command(BaseCommand):
    help = (
        "Run every deadline sweep as of a date (e.g. 2027-05-31T00:05). Dry run by default: shows what "
        "would change and rolls everything back; --apply keeps the changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ISO date or date-time, Asia/Shanghai unless an offset is given")
        parser.add_argument("--apply", action="store_true", help="keep the changes (default: dry run)")
        parser.add_argument("--only", choices=sorted(SWEEPS), action="append", help="run only these sweeps")

    def handle(self, *args, **options):
        try:
            now = parse_as_of(options["as_of"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        names = options["only"] or list(SWEEPS)
        mode = "APPLY" if options["apply"] else "DRY RUN"
        self.stdout.write(f"{mode}: deadline sweeps as of {now.isoformat()}")
        total = 0
        # Applied, each sweep commits chunk by chunk (greenfactory.chunks); dry, every chunk is a savepoint
        # of one outer transaction that is rolled back, and nothing is sent (notifications wait for commit).
        with transaction.atomic() if not options["apply"] else contextlib.nullcontext():
            for name in names:
                changes = run_sweep(name, now)
                total += len(changes)
                self.stdout.write(f"  {name}: {len(changes)}")
                for line in changes:
                    self.stdout.write(f"    - {line}")
            if not options["apply"]:
                transaction.set_rollback(True)
        self.stdout.write(self.style.SUCCESS(f"{total} changes {'made' if options['apply'] else 'would be made'}."))
