"""The two first middlewares (issue 14).

``RequestIdMiddleware`` gives each request an id (a sane ``X-Request-ID`` from the trusted proxy, else a new
one), returns it in the ``X-Request-ID`` header, keeps it in a context variable for every log record, and writes
one access line per request with status and duration.

``OperationsEndpointsMiddleware`` answers ``/healthz``, ``/readyz`` and ``/metrics`` itself, before the
middlewares that need the database or may redirect (sessions, authentication, two factors, axes, audit,
the language redirect, HTTPS redirect, ALLOWED_HOSTS): a load balancer or Prometheus speaks plain HTTP to
the container's address, and the answer must say what the process can do, not what the login page does.
"""

import logging
import re
import time
import uuid

from django.conf import settings

from operations.logging import RequestContext, current

access_log = logging.getLogger("greenfactory.access")
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+/-]{8,128}")
QUIET_PATHS = ("/healthz", "/readyz", "/metrics")


def incoming_request_id(request):
    """The proxy's ``X-Request-ID`` when the setting trusts it and the value is sane, else None."""
    header = getattr(settings, "REQUEST_ID_HEADER", "HTTP_X_REQUEST_ID")
    value = request.META.get(header, "") if header else ""
    return value if SANE_REQUEST_ID.fullmatch(value) else None


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = incoming_request_id(request) or uuid.uuid4().hex
        request.request_id = request_id
        context = RequestContext(request_id, request)
        token = current.set(context)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self.log_access(request, response, context)
            return response
        finally:
            current.reset(token)

    def log_access(self, request, response, context):
        if not getattr(settings, "ACCESS_LOG", True):
            return
        status = response.status_code
        if status < 400 and request.path_info.rstrip("/") in QUIET_PATHS:
            return  # probes every few seconds; failures are still logged
        duration_ms = round((time.monotonic() - context.started) * 1000, 1)
        access_log.info(
            "%s %s %s %.1fms",
            request.method,
            request.path,  # no query string: it may carry a tracking code
            status,
            duration_ms,
            extra={"status_code": status, "duration_ms": duration_ms},
        )


class OperationsEndpointsMiddleware:
    def __init__(self, get_response):
        from operations import views

        self.get_response = get_response
        self.endpoints = {"/healthz": views.healthz, "/readyz": views.readyz, "/metrics": views.metrics}

    def __call__(self, request):
        view = self.endpoints.get(request.path_info.rstrip("/"))
        if view is not None:
            return view(request)
        return self.get_response(request)
