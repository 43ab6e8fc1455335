"""Signing in an enterprise the province's unified identity platform vouched for.

The platform (广东省统一身份认证平台) tells us who signed in (``iss`` + ``sub``) and the unit's unified social
credit code. The portal maps that code to an organisation it already knows; it never creates an
organisation from a login, because registering a unit is the district's decision.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from applications.credit_code import normalise
from applications.models import Organisation
from identity.models import LinkedIdentity

log = logging.getLogger("greenfactory.identity")

UNKNOWN_ORGANISATION = _(
    "The unit with this unified social credit code (%(code)s) is not registered on this platform yet; "
    "please contact the industry and information technology bureau of your district."
)
NOT_AN_APPLICANT = _(
    "This unified identity is linked to a staff account; staff sign in with their user name and password."
)
OTHER_ORGANISATION = _(
    "This unified identity is linked to another organisation on this platform; please contact the "
    "industry and information technology bureau of your district."
)
ACCOUNT_DISABLED = _(
    "The account linked to this unified identity is disabled; please contact the industry and information "
    "technology bureau of your district."
)


class Refused(Exception):
    """A sign-in the portal refuses; ``message`` is shown on the login page."""

    def __init__(self, message, **params):
        super().__init__(str(message) % params if params else str(message))
        self.message = self.args[0]


def sign_in(*, issuer, subject, credit_code, name="", email=""):
    """The applicant user for a verified (issuer, subject, credit code); created on the first sign-in."""
    code = normalise(credit_code)
    link = LinkedIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if link is None:
        link = _link_new_applicant(issuer=issuer, subject=subject, code=code, name=name, email=email)
    user = link.user
    if user.role != Role.APPLICANT or user.is_staff or user.is_superuser:
        log.warning("unified login refused: subject %s is linked to non-applicant user %s", subject, user.pk)
        raise Refused(NOT_AN_APPLICANT)
    if not user.is_active:
        raise Refused(ACCOUNT_DISABLED)
    if user.organisation is None or user.organisation.credit_code != code:
        log.warning("unified login refused: subject %s vouched for %s but is linked to user %s", subject, code, user.pk)
        raise Refused(OTHER_ORGANISATION)
    LinkedIdentity.objects.filter(pk=link.pk).update(credit_code=code, last_login_at=timezone.now())
    return user


def _link_new_applicant(*, issuer, subject, code, name, email):
    organisation = Organisation.objects.filter(credit_code=code).first()
    if organisation is None:
        log.info("unified login refused: credit code %s is not registered", code)
        raise Refused(UNKNOWN_ORGANISATION, code=code)
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User(
                username=_free_username(code),
                role=Role.APPLICANT,
                organisation=organisation,
                last_name=name[:150],
                email=email[:254],
            )
            user.set_unusable_password()  # the platform is this account's only way in
            user.save()
            return LinkedIdentity.objects.create(user=user, issuer=issuer, subject=subject, credit_code=code)
    except IntegrityError:
        # A second, simultaneous first sign-in of the same subject linked it first.
        link = LinkedIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
        if link is None:
            raise
        return link


def _free_username(code):
    User = get_user_model()
    base = f"gd-{code}"
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
