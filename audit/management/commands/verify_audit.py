"""manage.py verify_audit: check the transition log's hash chains and that each dossier's state is its last
row's target (issue 14). Exits 1 and lists the problems when there are any."""

import sys

from django.core.management.base import BaseCommand

from applications import transition_chain


class Command(BaseCommand):
    help = "Check the transition log's hash chain per dossier and every dossier's state against its log."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="stop after this many problems")

    def handle(self, *args, limit=None, **options):
        rows, problems = transition_chain.verify(limit=limit)
        for problem in problems:
            self.stdout.write(f"{problem.kind:8} {problem}")
        if problems:
            self.stderr.write(self.style.ERROR(f"{len(problems)} problem(s) in {rows:,} log rows"))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(f"OK: {rows:,} log rows, every chain intact, every state matches"))
