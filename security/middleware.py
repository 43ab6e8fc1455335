from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from security.sessions import absolute_limit_seconds, expired, idle_limit_seconds
from security.two_factor import needs_two_factor


def _login_redirect(request):
    url = reverse("login")
    if request.headers.get("HX-Request"):
        # An htmx fragment request: have the page itself go to the login page, not the fragment.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


class SessionLimitsMiddleware:
    """Logs a user out after ``SESSION_IDLE_TIMEOUT_MINUTES`` without a request, or
    ``SESSION_ABSOLUTE_TIMEOUT_HOURS`` after signing in, and says why on the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = expired(request.session)
            if reason is not None:
                logout(request)
                if reason == "idle":
                    message = _("You have been inactive for more than %(minutes)d minutes. Please log in again.") % {
                        "minutes": idle_limit_seconds() // 60
                    }
                else:
                    message = _("Your session has reached its limit of %(hours)d hours. Please log in again.") % {
                        "hours": absolute_limit_seconds() // 3600
                    }
                messages.warning(request, message)
                return _login_redirect(request)
        return self.get_response(request)


class TwoFactorMiddleware:
    """Sends a signed-in user of a powerful role who has not yet given a second factor to the two-factor
    pages (enrolment on first login, then a code), except for the pages anyone may open."""

    EXEMPT_NAMES = ("login", "logout", "two_factor", "two_factor_setup", "two_factor_recovery_codes", "set_language")
    # The public face stays reachable: the home page, lists, open data, tracking and verification.
    EXEMPT_PREFIXES = ("/public/", "/open-data/", "/track/", "/verify/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt_paths = None

    def exempt_paths(self):
        if self._exempt_paths is None:
            paths = {reverse("public_home")}
            for name in self.EXEMPT_NAMES:
                paths.add(reverse(name))
            self._exempt_paths = paths
        return self._exempt_paths

    def exempt(self, path):
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path in self.exempt_paths() or path.startswith((static, *self.EXEMPT_PREFIXES))

    def __call__(self, request):
        if getattr(settings, "TWO_FACTOR_REQUIRED", False):
            user = getattr(request, "user", None)
            if (
                user is not None
                and user.is_authenticated
                and needs_two_factor(user)
                and not user.is_verified()
                and not self.exempt(request.path)
            ):
                url = reverse("two_factor")
                if request.method == "GET":
                    url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(url)
        return self.get_response(request)
