"""Request ids and structured logs (issue 14).

``RequestIdMiddleware`` keeps the request in a context variable; a log record factory copies its id onto every
record made while the request runs (``record.request_id``), so a traceback logged by ``django.request`` can be
matched with the id the user quotes from the error page. ``JsonFormatter`` writes one JSON object per line;
``TextFormatter`` the same fields as text. Both are chosen in ``settings.LOGGING`` by ``LOG_FORMAT``.

Nothing here imports Django models: the module is loaded while logging is configured, before the apps.
"""

import contextvars
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class RequestContext:
    request_id: str
    request: object = None
    started: float = field(default_factory=time.monotonic)


current = contextvars.ContextVar("greenfactory_request", default=None)


def current_request_id():
    context = current.get()
    return context.request_id if context else None


def user_id(request):
    """The signed-in user's id if the request already knows it; never a session or database lookup."""
    from django.utils.functional import empty

    user = getattr(request, "__dict__", {}).get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # AuthenticationMiddleware's SimpleLazyObject
    if wrapped is empty:
        return None
    return getattr(wrapped, "pk", None)


_base_factory = None


def install_record_factory():
    """Every log record carries ``request_id`` and ``gf_request`` (the request's context, or None)."""
    global _base_factory
    if _base_factory is not None:
        return
    _base_factory = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = _base_factory(*args, **kwargs)
        context = current.get()
        record.gf_request = context
        record.request_id = context.request_id if context else None
        return record

    logging.setLogRecordFactory(factory)


def _request_of(record):
    """The request a record is about: Django's own loggers pass it in ``extra``; else the current one."""
    request = getattr(record, "request", None)
    if isinstance(getattr(request, "path", None), str) and isinstance(getattr(request, "method", None), str):
        return request
    context = getattr(record, "gf_request", None)
    return context.request if context else None


def request_id(record, request=None):
    """The id of the record's request: the current one, or (for Django's lines written after the middlewares
    returned, e.g. "Service Unavailable: /readyz") the one the middleware put on the request."""
    if request is None:
        request = _request_of(record)
    return getattr(record, "request_id", None) or getattr(request, "request_id", None)


def fields(record):
    """The structured fields of a record, in a stable order (None where unknown)."""
    request = _request_of(record)
    return {
        "time": datetime.fromtimestamp(record.created, SHANGHAI).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "message": record.getMessage(),
        "request_id": request_id(record, request),
        "path": getattr(request, "path", None),
        "method": getattr(request, "method", None),
        "status": getattr(record, "status_code", None),
        "user_id": user_id(request) if request is not None else None,
        "duration_ms": getattr(record, "duration_ms", None),
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (Asia/Shanghai, ISO 8601), level, logger, message, request_id, path,
    method, status, user_id, duration_ms, and ``exception`` (the traceback) when there is one."""

    def format(self, record):
        entry = fields(record)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For development: ``time level logger [request id] message`` and the traceback below."""

    def __init__(self, fmt=None, datefmt=None, style="%", **kwargs):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s", datefmt, style)

    def format(self, record):
        saved = record.__dict__.get("request_id")
        record.request_id = request_id(record) or "-"
        try:
            return super().format(record)
        finally:
            record.request_id = saved
