"""Registering enterprises and inviting their colleagues."""

import datetime
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation, Role
from accounts.notifications import send_email
from applications.models import Organisation

INVITATION_DAYS = 14


@transaction.atomic
def register_applicant(*, form):
    """Create the organisation and its first user from a valid SignupForm."""
    data = form.cleaned_data
    organisation = Organisation.objects.create(
        credit_code=data["credit_code"],
        name=data["organisation_name"].strip(),
        district=data["district"],
        contact_name=data["full_name"],
        contact_phone=data["phone"],
        contact_email=data["email"],
    )
    user = form.save(commit=False)
    user.role, user.organisation = Role.APPLICANT, organisation
    user.first_name, user.phone, user.email = data["full_name"], data["phone"], data["email"]
    user.save()
    return user


def invite(*, organisation, email, by, request):
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        token=secrets.token_urlsafe(32),
        created_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    link = request.build_absolute_uri(reverse("accept_invitation", args=[invitation.token]))
    subject = _("Invitation to the account of %(organisation)s") % {"organisation": organisation}
    body = _("%(who)s invites you to the green-manufacturing portal account of %(organisation)s: %(link)s") % {
        "who": by,
        "organisation": organisation,
        "link": link,
    }
    transaction.on_commit(lambda: send_email([email], subject, body))
    return invitation


@transaction.atomic
def accept_invitation(invitation, *, form):
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    user = form.save(commit=False)
    user.role, user.organisation, user.email = Role.APPLICANT, locked.organisation, locked.email
    user.first_name, user.phone = form.cleaned_data["full_name"], form.cleaned_data["phone"]
    user.save()
    locked.accepted_by, locked.accepted_at = user, timezone.now()
    locked.save()
    return user


def usable_invitation(token):
    return Invitation.objects.filter(token=token, accepted_at__isnull=True, expires_at__gt=timezone.now()).first()
