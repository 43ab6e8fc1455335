from django.conf import settings

from accounts.models import ADMIN_ROLES


def portal(request):
    from django.utils.functional import SimpleLazyObject

    from accounts import todo

    user = getattr(request, "user", None)
    unread = todo_count = 0
    counts = {}
    if user is not None and user.is_authenticated:
        # Unread notifications and each 待办 section's count in one query, read only if a page shows them.
        counts = SimpleLazyObject(lambda: todo.counts(user))
        unread = SimpleLazyObject(lambda: counts["unread"])
        todo_count = SimpleLazyObject(lambda: counts["total"])
    return {
        "portal_counts": counts,
        "todo_count": todo_count,
        "PORTAL_NAME": settings.PORTAL_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "unread_notifications": unread,
        # 三员分立: the three administrators' navigation shows their screen, not the dossiers.
        "is_administrator": getattr(getattr(request, "user", None), "role", None) in ADMIN_ROLES,
    }
