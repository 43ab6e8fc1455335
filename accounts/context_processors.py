from django.conf import settings


def portal(request):
    unread = 0
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        unread = request.user.notifications.filter(read_at__isnull=True).count()
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "unread_notifications": unread,
        "missing_schedule_years": _missing_schedule_years(request),
    }


def _missing_schedule_years(request):
    """Staff are warned when this or next year's official holiday schedule is not loaded."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (user.is_superuser or user.role in ("municipal", "staff")):
        return []
    from django.utils import timezone

    from workdays.services import missing_years

    year = timezone.localdate().year
    return missing_years([year, year + 1])
