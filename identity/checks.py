from django.conf import settings
from django.core.checks import Error, register

REQUIRED = [
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_OP_ISSUER",
]


@register()
def unified_identity_configured(app_configs, **kwargs):
    """With OIDC_ENABLED, every endpoint, the client and the expected issuer must be set."""
    if not getattr(settings, "OIDC_ENABLED", False):
        return []
    missing = [name for name in REQUIRED if not getattr(settings, name, "")]
    if missing:
        return [
            Error(
                f"OIDC_ENABLED is on but {', '.join(missing)} not set.",
                hint="Set them in the environment (README, 'Unified identity (OIDC)').",
                id="identity.E001",
            )
        ]
    return []
