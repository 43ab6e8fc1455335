"""Whole public pages kept for anonymous visitors (issue 13: the day a list is published, the public list is what
falls over first).

The public list's rows are already cached (``registry.listing``); this keeps the finished HTML of the few public
list pages too, so a visitor's request skips sessions, authentication, the view and the template. It is safe only
for a response that is the same for every anonymous visitor: GET or HEAD, no session or messages cookie, a 200
that sets no cookie (a page with a CSRF token sets one, and is then never kept). The key carries the public list's
version (``listing.cache_version``: replaced on publication, removal, any transition or organisation change) and
the language cookie, so a change shows at once and each language has its own copy.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from registry import listing

PATHS = frozenset({"/", "/public/lists/", "/public/removals/", "/public/publicity/"})
# Headers set per request by the middlewares outside this one (they set them again on a kept page).
PER_REQUEST = frozenset({"x-request-id", "set-cookie"})


def _anonymous(request):
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _last_document():
    """The newest issued document: a notice issued shows its PDF link and 文号 on these pages (no transition)."""
    from registry.models import IssuedDocument

    return IssuedDocument.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _key(request):
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    query = sorted(request.GET.lists())
    digest = hashlib.sha256(repr((request.path, query, language)).encode()).hexdigest()[:32]
    return f"public-page:{listing.cache_version()}:{_last_document()}:{digest}"


class AnonymousPublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not settings.PUBLIC_PAGE_CACHE
            or request.method not in ("GET", "HEAD")
            or request.path not in PATHS
            or not _anonymous(request)
        ):
            return self.get_response(request)
        key = _key(request)
        kept = cache.get(key)
        if kept is not None:
            status, headers, content = kept
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Public-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            headers = [(n, v) for n, v in response.items() if n.lower() not in PER_REQUEST]
            cache.set(key, (response.status_code, headers, response.content), settings.PUBLIC_LIST_CACHE_SECONDS)
        return response
