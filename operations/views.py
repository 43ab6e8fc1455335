"""``/healthz``, ``/readyz``, ``/metrics`` (answered by ``OperationsEndpointsMiddleware`` before the rest of
the stack, and routed in ``greenfactory/urls.py`` too) and the 500 page with the request id."""

from django.http import HttpResponse, HttpResponseForbidden, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from operations import metrics as portal_metrics
from operations import readiness
from operations.logging import current_request_id


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    """The process is up and answers: no database, no session, no template."""
    return _no_store(HttpResponse("ok", content_type="text/plain; charset=utf-8"))


def readyz(request):
    """200 when the database, broker, storage and migrations are all fine, else 503 naming what fails."""
    results = readiness.run_checks()
    failing = [name for name, result in results.items() if not result["ok"]]
    body = {"status": "unavailable" if failing else "ok", "checks": results}
    if failing:
        body["failing"] = failing
    return _no_store(JsonResponse(body, status=503 if failing else 200))


def metrics(request):
    if not portal_metrics.allowed(request):
        return _no_store(HttpResponseForbidden("forbidden", content_type="text/plain; charset=utf-8"))
    payload = generate_latest(portal_metrics.scrape_registry())
    return _no_store(HttpResponse(payload, content_type=CONTENT_TYPE_LATEST))


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """Django's 500 page, with the request id the user can quote; rendered without context processors (no
    database, no session: the error may be that they are down)."""
    context = {"request_id": current_request_id() or getattr(request, "request_id", "")}
    try:
        page = loader.get_template(template_name).render(context)
    except Exception:
        page = _("Server error. Request id: %(id)s") % {"id": context["request_id"]}
        return HttpResponseServerError(page, content_type="text/plain; charset=utf-8")
    return HttpResponseServerError(page)
