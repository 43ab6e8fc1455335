from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from applications.demo import DEMO_PASSWORD, DemoWorld


class Command(BaseCommand):
    help = "Seed demo organisations, dossiers in every state, agencies and one user per role (demo mode only)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo runs only with DEMO_MODE=true: it creates accounts with a published password."
            )
        if User.objects.filter(username="municipal").exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        # Seeding replays a year of transitions; their notifications go to inboxes, not to mail.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            made = DemoWorld(timezone.localdate()).build()
        self.stdout.write(self.style.SUCCESS(f"Seeded {len(made) + 1} dossiers. Demo password: {DEMO_PASSWORD}"))
