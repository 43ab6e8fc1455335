from django.conf import settings

from accounts.models import ADMIN_ROLES


def portal(request):
    unread = 0
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        unread = request.user.notifications.filter(read_at__isnull=True).count()
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "unread_notifications": unread,
        # 三员分立: the three administrators' navigation shows their screen, not the dossiers.
        "is_administrator": getattr(getattr(request, "user", None), "role", None) in ADMIN_ROLES,
    }
