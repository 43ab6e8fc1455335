from django.core.management.base import BaseCommand

from greenfactory import demo_pki, signing
from registry.models import IssuingOrgan


class Command(BaseCommand):
    help = (
        "Create the demo signing material in SIGNING_DIR: a demo root CA, a certificate and a 样章 seal image "
        "per issuing organ. Idempotent: existing files (an operator's real certificates included) are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="Folder for the key material (default: settings.SIGNING_DIR).")

    def handle(self, *args, **options):
        directory = options.get("dir") or signing.signing_dir()
        report = demo_pki.ensure_demo_pki(IssuingOrgan.objects.order_by("code"), directory)
        self.stdout.write(
            f"Demo PKI in {directory}: created {len(report.created)}, kept {len(report.kept)}"
            + (f", skipped (CA key absent) {', '.join(report.skipped)}" if report.skipped else "")
        )
