"""Create the provider's users and the portal's client; print each user's ``sub`` as JSON."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--redirect-uri", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--users", required=True, help='JSON: [{"username", "password", "credit_code", "name"}]')

    def handle(self, *args, **options):
        User = get_user_model()
        subjects = {}
        for spec in json.loads(options["users"]):
            user = User.objects.create_user(
                spec["username"],
                password=spec["password"],
                first_name=spec.get("name", ""),
                last_name=spec["credit_code"],
                email=f"{spec['username']}@example.com",
            )
            subjects[user.username] = str(user.pk)
        Application = get_application_model()
        Application.objects.create(
            name="greenfactory",
            client_id=options["client_id"],
            client_secret=options["client_secret"],  # hashed on save; the portal keeps the plain one
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=options["redirect_uri"],
            algorithm=Application.RS256_ALGORITHM,  # default "" would sign no ID token
            skip_authorization=True,
            user=User.objects.first(),
        )
        self.stdout.write(json.dumps(subjects))
