from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def unified_login_enabled():
    """Whether the login page offers the unified identity platform (read at render time)."""
    return bool(getattr(settings, "OIDC_ENABLED", False))
