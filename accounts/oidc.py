"""OpenID Connect login through the province's unified identity platform (广东省统一身份认证平台).

mozilla-django-oidc runs the authorization-code flow with PKCE and checks the ID token's RS256 signature
against the provider's JWKS, its nonce and its expiry. It checks neither ``aud`` nor ``iss``; this backend
does. It then maps the verified unified social credit code to an organisation the portal already knows
(``identity.services.sign_in``). A refusal is shown on the login page and nobody is signed in.
"""

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from applications.credit_code import is_valid, normalise
from identity.services import Refused, sign_in

log = logging.getLogger("greenfactory.identity")

NO_CREDIT_CODE = _(
    "The unified identity platform did not vouch for a valid unified social credit code; enterprises sign in "
    "with their organisation's (legal-person) account."
)
NOT_VERIFIED = _("The answer of the unified identity platform could not be verified; nobody was signed in.")
UNREACHABLE = _("The unified identity platform cannot be reached at the moment; please try again later.")
FAILED = _("Signing in through the unified identity platform failed; please try again.")


class CreditCodeOIDCBackend(OIDCAuthenticationBackend):
    """Signs an enterprise's applicant in by the credit code the platform vouched for."""

    def authenticate(self, request, **credentials):
        # Only the OIDC callback (which passes nonce and code_verifier) is ours; a password login passes
        # username and password and must never make this backend call the provider.
        if request is None or "nonce" not in credentials or set(credentials) - {"nonce", "code_verifier"}:
            return None
        if request.path != reverse("oidc_authentication_callback"):
            return None
        try:
            return super().authenticate(request, **credentials)
        except Refused as refusal:
            messages.error(request, refusal.message)
        except SuspiciousOperation as exc:
            log.warning("unified login refused: %s", exc)
            messages.error(request, NOT_VERIFIED)
        except (requests.ConnectionError, requests.Timeout) as exc:
            log.error("unified identity platform unreachable: %s", exc)
            messages.error(request, UNREACHABLE)
        except requests.RequestException as exc:
            log.warning("unified login failed: %s", exc)
            messages.error(request, FAILED)
        return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)  # signature (JWKS), nonce, exp
        audiences = payload.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else list(audiences or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience is not this client")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token for several audiences without this client as azp")
        expected_issuer = self.get_settings("OIDC_OP_ISSUER", "")
        if not expected_issuer or payload.get("iss") != expected_issuer:
            raise SuspiciousOperation("ID token issuer is not the configured provider")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        """``payload`` is the verified ID token; the claims come from userinfo, whose ``sub`` must match."""
        claims = self.get_userinfo(access_token, id_token, payload)
        if not payload.get("sub") or claims.get("sub") != payload["sub"]:
            raise SuspiciousOperation("userinfo subject differs from the ID token's")
        claim = settings.OIDC_CREDIT_CODE_CLAIM
        code = claims.get(claim)
        if not isinstance(code, str) or not is_valid(code):
            raise Refused(NO_CREDIT_CODE)
        if claim in payload and normalise(str(payload[claim])) != normalise(code):
            raise SuspiciousOperation("userinfo credit code differs from the ID token's")
        return sign_in(
            issuer=payload["iss"],
            subject=payload["sub"],
            credit_code=code,
            name=str(claims.get("name") or ""),
            email=str(claims.get("email") or ""),
        )
