"""A small per-address limit on the public forms (objections, reports, tracking), kept in Django's cache.

The address is ``REMOTE_ADDR``. Behind a reverse proxy, the proxy must pass the client's address: either
the WSGI server sets ``REMOTE_ADDR`` from it, or ``RATELIMIT_CLIENT_IP_HEADER`` names the header the
proxy sets (e.g. ``HTTP_X_REAL_IP``). ``X-Forwarded-For`` is never read unless that setting names it,
since any client can send it. Counters live in fixed windows (one hour by default); the cache is Redis
when ``REDIS_URL`` is set, so every worker process shares them.
"""

import functools
import math
import time
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone


def client_address(request):
    header = getattr(settings, "RATELIMIT_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        # The proxy appends the address it saw last: that is the one it vouches for.
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def hit(scope, address, *, limit, window, now=None):
    """Count one attempt; return None while within ``limit`` per ``window`` seconds, else when the window ends."""
    now = time.time() if now is None else now
    slot = int(now // window)
    key = f"ratelimit:{scope}:{address}:{slot}"
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 60)
        count = 1
    if count <= limit:
        return None
    return datetime.fromtimestamp((slot + 1) * window, tz=timezone.get_current_timezone())


def refused(request, retry_at):
    """HTTP 429 with the time, in Beijing time, from which the address may try again."""
    seconds = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
    context = {"retry_at": retry_at, "minutes": math.ceil(seconds / 60)}
    response = render(request, "public/rate_limited.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def limited(scope, *, methods=("POST",)):
    """Refuse a view with HTTP 429 once an address has made too many ``methods`` requests in the window.

    ``settings.RATELIMITS[scope]`` is ``(limit, window_seconds)``.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                limit, window = settings.RATELIMITS[scope]
                retry_at = hit(scope, client_address(request), limit=limit, window=window)
                if retry_at is not None:
                    return refused(request, retry_at)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
