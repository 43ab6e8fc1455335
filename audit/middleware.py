"""Two middlewares of issue 12: the audit context (and the export of every list, in one place), and the
separation of duties (三员分立): the superuser is for installation only, the three administrators work in
their own screens."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import ADMIN_ROLES
from audit.context import current_request
from audit.models import EventType
from audit.services import record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_TYPES = (XLSX, "text/csv")


def is_export(request, response):
    """A list leaves the portal: a spreadsheet or CSV, or the open data's JSON (``?format=json``)."""
    if response.status_code != 200:
        return False
    content_type = response.get("Content-Type", "")
    if content_type.startswith(EXPORT_TYPES):
        return True
    return request.GET.get("format") == "json" and content_type.startswith("application/json")


class AuditMiddleware:
    """Keeps the request at hand for audit rows written by signals, and records every export of a list
    (the dossier, pool, annual, recommendation, MIIT, dashboard and audit-log spreadsheets, the open data's
    CSV and JSON) whichever view produced it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if is_export(request, response):
                record(
                    EventType.EXPORT,
                    request=request,
                    target=request.path,
                    detail={
                        "content_type": response.get("Content-Type", ""),
                        "disposition": response.get("Content-Disposition", ""),
                    },
                )
            return response
        finally:
            current_request.reset(token)


# Paths a superuser or an administrator may open outside their screens: installation, login, language.
ALWAYS_ALLOWED = ("/admin/", "/admin-duties/", "/accounts/", "/i18n/")


class SeparationOfDutiesMiddleware:
    """A superuser is refused in the business workspace (an explanation page says to use the three
    administrator accounts; ``/admin/`` stays for installation); the three administrators' workspace home
    is their duty screen. ``SUPERUSER_REFUSED_IN_WORKSPACE`` switches the first off (tests only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            path = request.path
            allowed = path.startswith(ALWAYS_ALLOWED) or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
            if user.is_superuser and not allowed and getattr(settings, "SUPERUSER_REFUSED_IN_WORKSPACE", True):
                record(EventType.SUPERUSER_REFUSED, request=request, target=path)
                return redirect("superuser_refused")
            if user.role in ADMIN_ROLES and path == reverse("home"):
                return redirect("duties_home")
        return self.get_response(request)
