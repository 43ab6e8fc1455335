"""The portal's own metrics, computed when Prometheus scrapes ``/metrics`` (issue 14).

Request latency and counts come from django-prometheus's middlewares. Here: the Celery queue depth, the
outbox's waiting and failed mail, and each deadline sweep's last run and last success. Each part is computed
on its own: a part that fails (say the database is down) reports ``greenfactory_metrics_collector_up 0``
instead of failing the scrape.
"""

import ipaddress
import logging
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger("greenfactory.metrics")
# kombu's Redis transport keeps a queue's priorities 3, 6, 9 in keys "<queue>\x06\x16<priority>".
KOMBU_PRIORITY_SEPARATOR = "\x06\x16"
KOMBU_PRIORITY_STEPS = (0, 3, 6, 9)


def allowed(request):
    """From an address in METRICS_ALLOWED_IPS (addresses or networks; REMOTE_ADDR only, never a forwarded
    header) or with ``Authorization: Bearer <METRICS_TOKEN>``."""
    token = getattr(settings, "METRICS_TOKEN", "")
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if token and authorization.startswith("Bearer ") and constant_time_compare(authorization[7:].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for network in getattr(settings, "METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"]):
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            log.warning("METRICS_ALLOWED_IPS: %r is not an address or network", network)
    return False


def queues():
    default = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    return getattr(settings, "METRICS_CELERY_QUEUES", None) or [default]


def queue_lengths():
    """{queue: messages waiting}: Redis LLEN with REDIS_URL, else the filesystem transport's message files."""
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        try:
            lengths = {}
            for queue in queues():
                keys = [queue if p == 0 else f"{queue}{KOMBU_PRIORITY_SEPARATOR}{p}" for p in KOMBU_PRIORITY_STEPS]
                pipe = client.pipeline(transaction=False)
                for key in keys:
                    pipe.llen(key)
                lengths[queue] = sum(pipe.execute())
            return lengths
        finally:
            client.close()
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        names = os.listdir(folder) if folder.is_dir() else []
        return {queue: sum(1 for n in names if n.endswith(f".{queue}.msg")) for queue in queues()}
    return {}


def outbox_model():
    """``accounts.OutboundEmail`` when that model exists (the outbox of issue 14), else None."""
    if not apps.is_installed("accounts"):
        return None
    try:
        return apps.get_model("accounts", "OutboundEmail")
    except LookupError:
        return None


def outbox_figures(model):
    counts = dict(model.objects.filter(status__in=["queued", "failed"]).values_list("status").annotate(n=Count("pk")))
    oldest = model.objects.filter(status="queued").aggregate(oldest=Min("created_at"))["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return counts.get("queued", 0), counts.get("failed", 0), age


def sweep_figures():
    """{sweep: last run (SweepRun or None), last success time (datetime or None)} for every known sweep."""
    from greenfactory.sweeps import SWEEPS
    from operations.models import SweepRun

    last_ids = SweepRun.objects.values("name").annotate(last=Max("pk")).values_list("last", flat=True)
    last_runs = {run.name: run for run in SweepRun.objects.filter(pk__in=list(last_ids))}
    last_success = dict(
        SweepRun.objects.filter(ok=True).values("name").annotate(at=Max("finished_at")).values_list("name", "at")
    )
    names = sorted(set(SWEEPS) | set(last_runs))
    return {name: (last_runs.get(name), last_success.get(name)) for name in names}


class PortalCollector:
    """A prometheus_client collector; ``describe`` is empty so registering it runs no query."""

    def describe(self):
        return []

    def collect(self):
        up = GaugeMetricFamily(
            "greenfactory_metrics_collector_up", "1 if the part of the scrape could be computed.", labels=["part"]
        )
        for part, produce in (("queue", self._queue), ("outbox", self._outbox), ("sweeps", self._sweeps)):
            try:
                families = list(produce())
            except Exception:
                log.warning("metrics part %s could not be computed", part, exc_info=True)
                up.add_metric([part], 0)
            else:
                up.add_metric([part], 1)
                yield from families
        yield up

    def _queue(self):
        family = GaugeMetricFamily(
            "greenfactory_celery_queue_length", "Celery messages waiting in the broker, per queue.", labels=["queue"]
        )
        for queue, length in queue_lengths().items():
            family.add_metric([queue], length)
        yield family

    def _outbox(self):
        model = outbox_model()
        if model is None:
            return
        waiting, failed, age = outbox_figures(model)
        yield GaugeMetricFamily("greenfactory_outbox_waiting", "Emails queued in the outbox, not yet sent.", waiting)
        yield GaugeMetricFamily("greenfactory_outbox_failed", "Emails the outbox gave up on.", failed)
        yield GaugeMetricFamily(
            "greenfactory_outbox_oldest_waiting_age_seconds", "Age of the oldest email waiting (0 if none).", age
        )

    def _sweeps(self):
        labels = ["sweep"]
        success = GaugeMetricFamily(
            "greenfactory_sweep_last_success_timestamp_seconds",
            "When the sweep last finished without error (Unix time; absent if never).",
            labels=labels,
        )
        finished = GaugeMetricFamily(
            "greenfactory_sweep_last_run_timestamp_seconds", "When the sweep last finished (Unix time).", labels=labels
        )
        ok = GaugeMetricFamily("greenfactory_sweep_last_run_ok", "1 if the sweep's last run succeeded.", labels=labels)
        changes = GaugeMetricFamily(
            "greenfactory_sweep_last_run_changes", "What the sweep's last run changed (rows).", labels=labels
        )
        duration = GaugeMetricFamily(
            "greenfactory_sweep_last_run_duration_seconds", "How long the sweep's last run took.", labels=labels
        )
        for name, (run, succeeded_at) in sweep_figures().items():
            if succeeded_at is not None:
                success.add_metric([name], succeeded_at.timestamp())
            if run is None:
                continue
            finished.add_metric([name], run.finished_at.timestamp())
            ok.add_metric([name], 1 if run.ok else 0)
            changes.add_metric([name], run.changes or 0)
            duration.add_metric([name], (run.finished_at - run.started_at).total_seconds())
        yield from (success, finished, ok, changes, duration)


class _ProcessRegistry:
    """This process's default registry (django-prometheus's metrics, process and GC figures) as a collector."""

    def describe(self):
        return []

    def collect(self):
        return REGISTRY.collect()


def scrape_registry():
    """A registry for one scrape: every gunicorn worker's files under PROMETHEUS_MULTIPROC_DIR when it is set
    (see the README), else this process's metrics; plus the portal's collector."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessRegistry())
    registry.register(PortalCollector())
    return registry
