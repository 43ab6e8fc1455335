"""Operations (issue 14): /healthz, /readyz, request ids and structured logs, /metrics, sweep runs.

This module is also the URLconf of the 500 tests (``urlpatterns`` and ``handler500`` below).
"""

import copy
import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.conf import settings
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import Client
from django.urls import path
from prometheus_client.parser import text_string_to_metric_families

from greenfactory import urls as portal_urls
from greenfactory.sweeps import SWEEPS, run_sweep
from operations.logging import JsonFormatter, TextFormatter
from operations.models import SweepRun
from tests.conftest import at

ROOT = Path(settings.BASE_DIR)


class Boom(Exception):
    pass


def boom(request):
    logging.getLogger("greenfactory.test").warning("about to fail")
    raise Boom("the view failed on purpose")


urlpatterns = [path("boom/", boom), *portal_urls.urlpatterns]
handler500 = portal_urls.handler500


# --- /healthz and /readyz ---------------------------------------------------------------------------------------


def test_healthz_answers_without_touching_the_database(client):
    """No ``db`` fixture: pytest-django refuses any database access, so sessions, auth, axes, audit and
    two factors must all have been bypassed."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_is_200_with_each_check_when_all_is_fine(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage", "migrations"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.fixture
def unreachable_database(settings, tmp_path):
    """A second, real connection to a database that cannot be reached: PostgreSQL on a closed port, SQLite in a
    folder that does not exist. /readyz is pointed at it; no part of the database layer is mocked."""
    broken = copy.deepcopy(connection.settings_dict)
    if connection.vendor == "postgresql":
        broken.update(HOST="127.0.0.1", PORT="1")
        broken["OPTIONS"]["connect_timeout"] = 2
    else:
        broken["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    unreachable = load_backend(broken["ENGINE"]).DatabaseWrapper(broken, "unreachable")
    connections["unreachable"] = unreachable
    settings.READYZ_DATABASES = ["unreachable"]
    yield unreachable
    unreachable.close()
    del connections["unreachable"]


@pytest.mark.django_db
def test_readyz_is_503_naming_the_database_when_it_is_unreachable(client, unreachable_database):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["database", "migrations"]
    assert (body["checks"]["database"]["ok"], body["checks"]["database"]["error"]) == (False, "OperationalError")
    assert body["checks"]["migrations"]["error"] == "skipped: database unavailable"
    assert body["checks"]["broker"]["ok"] and body["checks"]["storage"]["ok"]
    # the load balancer's other probe still says the process is up
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_names_a_broken_broker_and_storage(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "missing-queue"),
        "data_folder_out": str(tmp_path / "missing-queue"),
        "control_folder": str(tmp_path / "missing-control"),
    }
    media = tmp_path / "media-is-a-file"
    media.write_text("not a folder")
    settings.MEDIA_ROOT = media
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker", "storage"]


@pytest.mark.django_db
def test_the_probes_bypass_the_https_redirect_the_host_check_and_the_login(client, settings):
    """A load balancer speaks plain HTTP to the container's own address."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["green.example.gov.cn"]
    for probe in ("/healthz", "/readyz"):
        response = client.get(probe, HTTP_HOST="10.0.3.7:8000")
        assert response.status_code == 200, (probe, response.status_code)
    assert client.get("/", HTTP_HOST="green.example.gov.cn").status_code == 301  # everything else still redirects


@pytest.mark.django_db
def test_pages_keep_their_security_headers_and_probes_stay_plain(client):
    page = client.get("/")
    assert "Content-Security-Policy" in page
    assert page["X-Request-ID"]
    probe = client.get("/healthz")
    assert probe["X-Request-ID"]


# --- request ids and logs ---------------------------------------------------------------------------------------


def test_a_sane_request_id_from_the_proxy_is_kept_and_others_are_replaced(client):
    given = "req-" + uuid.uuid4().hex
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    for insane in ("short", "a b c d e f g h", "x" * 200, "line\nbreak-injected", "<script>alert(1)</script>"):
        made = client.get("/healthz", HTTP_X_REQUEST_ID=insane)["X-Request-ID"]
        assert made != insane
        assert len(made) == 32 and int(made, 16) >= 0


def test_the_proxy_header_is_ignored_when_not_trusted(client, settings):
    settings.REQUEST_ID_HEADER = ""
    given = "req-" + uuid.uuid4().hex
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] != given


@pytest.mark.django_db
def test_an_unhandled_exception_is_logged_with_its_traceback_and_the_request_id(settings, caplog, capsys):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.test_operations"
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get("/boom/?secret=1")
    request_id = response["X-Request-ID"]
    assert response.status_code == 500

    # the user sees the id to quote (and no traceback)
    page = response.content.decode()
    assert request_id in page
    assert "Traceback" not in page and "on purpose" not in page

    error = next(r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR)
    assert error.request_id == request_id
    assert error.exc_info[0] is Boom
    # every record of the request carries the id: the view's own line and the access line
    assert next(r for r in caplog.records if r.name == "greenfactory.test").request_id == request_id
    access = next(r for r in caplog.records if r.name == "greenfactory.access")
    assert (access.request_id, access.status_code) == (request_id, 500)

    # as the JSON console handler writes it: one line with the traceback and the id
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler.handle(error)
    handler.handle(access)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    entry, line = json.loads(lines[0]), json.loads(lines[1])
    assert entry["request_id"] == request_id
    assert (entry["level"], entry["logger"], entry["status"]) == ("ERROR", "django.request", 500)
    assert (entry["path"], entry["method"]) == ("/boom/", "GET")
    assert "Traceback" in entry["exception"] and "Boom: the view failed on purpose" in entry["exception"]
    assert entry["time"].endswith("+08:00")
    assert line["duration_ms"] >= 0 and line["status"] == 500
    assert "secret" not in line["message"]  # the query string is not logged


@pytest.mark.django_db
def test_log_records_carry_the_signed_in_users_id(client, caplog, django_user_model):
    user = django_user_model.objects.create(username="ops-user")
    client.force_login(user)
    with caplog.at_level(logging.INFO):
        client.get("/workspace/")
    access = next(r for r in caplog.records if r.name == "greenfactory.access")
    assert json.loads(JsonFormatter().format(access))["user_id"] == user.pk


def test_the_json_formatter_writes_one_line_with_every_field():
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        record = logging.getLogger("greenfactory.test").makeRecord(
            "greenfactory.test", logging.ERROR, __file__, 1, "失败: %s", ("多行\n消息",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert list(entry)[:10] == [
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "path",
        "method",
        "status",
        "user_id",
        "duration_ms",
    ]
    assert entry["message"] == "失败: 多行\n消息"
    assert entry["request_id"] is None
    assert "ValueError: bad" in entry["exception"]
    assert "[-] 失败" in TextFormatter().format(record)


def test_with_debug_off_the_settings_log_errors_as_json_on_stdout():
    """The LOGGING of settings.py, as production loads it: a django.request error reaches stdout."""
    script = """
import django, logging, sys
django.setup()
from operations.logging import RequestContext, current
current.set(RequestContext("abcdef0123456789"))
try:
    raise RuntimeError("kaput")
except RuntimeError:
    logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=True, extra={"status_code": 500})
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOG_", "SECURE_"))}
    env.update(DEBUG="false", SECRET_KEY="x" * 60, DJANGO_SETTINGS_MODULE="greenfactory.settings")
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    entries = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    error = next(e for e in entries if e["logger"] == "django.request")
    assert error["request_id"] == "abcdef0123456789"
    assert "RuntimeError: kaput" in error["exception"]


# --- metrics ----------------------------------------------------------------------------------------------------


def scrape(client, **headers):
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def samples(family):
    return {tuple(sorted(s.labels.items())): s.value for s in family.samples}


@pytest.mark.django_db
def test_metrics_are_refused_to_other_addresses_unless_they_bring_the_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    wrong = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    assert scrape(client, REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus")
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16"]
    assert scrape(client, REMOTE_ADDR="10.1.2.3")
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="192.168.0.9").status_code == 403


@pytest.mark.django_db
def test_metrics_count_requests_and_report_their_latency(client):
    client.get("/accounts/login/")
    families = scrape(client)
    by_method = samples(families["django_http_requests_total_by_method"])
    assert by_method[(("method", "GET"),)] >= 1
    assert "django_http_requests_latency_seconds_by_view_method" in families
    up = samples(families["greenfactory_metrics_collector_up"])
    assert up == {(("part", "queue"),): 1, (("part", "outbox"),): 1, (("part", "sweeps"),): 1}


@pytest.mark.django_db
def test_queue_depth_counts_the_filesystem_transports_messages(client, settings, tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()
    for n in range(3):
        (queue / f"{n}_{uuid.uuid4()}.celery.msg").write_text("{}")
    (queue / f"9_{uuid.uuid4()}.other.msg").write_text("{}")
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(queue), "data_folder_out": str(queue)}
    settings.METRICS_CELERY_QUEUES = ["celery", "other"]
    depth = samples(scrape(client)["greenfactory_celery_queue_length"])
    assert depth == {(("queue", "celery"),): 3, (("queue", "other"),): 1}


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL (CI's step 3 does)")
def test_queue_depth_is_the_length_of_the_redis_lists(client, settings):
    import redis

    # Redis db 7 of the same server, with a queue no worker consumes.
    url = urlparse(os.environ["REDIS_URL"])._replace(path="/7").geturl()
    queue = f"gf-ops-test-{uuid.uuid4().hex[:8]}"
    server = redis.Redis.from_url(url)
    try:
        server.rpush(queue, "a", "b")
        server.rpush(f"{queue}\x06\x163", "c")
        settings.CELERY_BROKER_URL = url
        settings.METRICS_CELERY_QUEUES = [queue]
        assert samples(scrape(client)["greenfactory_celery_queue_length"]) == {(("queue", queue),): 3}
        assert client.get("/readyz").json()["checks"]["broker"]["ok"]
        settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/7"
        assert client.get("/readyz").json()["failing"] == ["broker"]
    finally:
        server.delete(queue, f"{queue}\x06\x163")
        server.close()


@pytest.mark.django_db
def test_outbox_mail_waiting_is_reported(client):
    from django.apps import apps
    from django.utils import timezone

    try:
        outbox = apps.get_model("accounts", "OutboundEmail")
    except LookupError:
        pytest.skip("no outbox model")
    for status in ("queued", "queued", "failed", "sent"):
        outbox.objects.create(
            recipients=["a@example.com"],
            from_email="gf@example.com",
            subject="x",
            status=status,
            next_attempt_at=timezone.now(),
        )
    families = scrape(client)
    assert samples(families["greenfactory_outbox_waiting"]) == {(): 2}
    assert samples(families["greenfactory_outbox_failed"]) == {(): 1}


@pytest.mark.django_db
def test_each_sweep_run_is_recorded_and_its_last_success_exposed(client, monkeypatch):
    now = at(2027, 3, 16, 0, 10)
    monkeypatch.setitem(SWEEPS, "expire_exports", lambda as_of: ["one", "two"])
    assert run_sweep("expire_exports", now) == ["one", "two"]
    success = SweepRun.objects.get(name="expire_exports")
    assert (success.ok, success.changes, success.as_of, success.error) == (True, 2, now, "")
    assert success.started_at <= success.finished_at

    def fails(as_of):
        raise Boom("database fell over")

    monkeypatch.setitem(SWEEPS, "expire_exports", fails)
    with pytest.raises(Boom):
        run_sweep("expire_exports", now)
    failure = SweepRun.objects.filter(name="expire_exports").latest("pk")
    assert (failure.ok, failure.changes) == (False, None)
    assert failure.error == "Boom: database fell over"

    families = scrape(client)
    key = (("sweep", "expire_exports"),)
    assert samples(families["greenfactory_sweep_last_success_timestamp_seconds"])[key] == pytest.approx(
        success.finished_at.timestamp()
    )
    assert samples(families["greenfactory_sweep_last_run_ok"])[key] == 0
    assert samples(families["greenfactory_sweep_last_run_changes"])[key] == 0
    assert samples(families["greenfactory_sweep_last_run_timestamp_seconds"])[key] == pytest.approx(
        failure.finished_at.timestamp()
    )
    # a sweep that never ran has no success time, so an alert on its age fires
    assert (("sweep", "lapse_unrecommended"),) not in samples(
        families["greenfactory_sweep_last_success_timestamp_seconds"]
    )


@pytest.mark.django_db
def test_a_sweep_run_is_kept_as_written(monkeypatch):
    from applications.models.append_only import AppendOnlyRefused

    monkeypatch.setitem(SWEEPS, "expire_exports", lambda as_of: [])
    run_sweep("expire_exports", at(2027, 3, 16))
    run = SweepRun.objects.get()
    run.ok = False
    with pytest.raises(AppendOnlyRefused):
        run.save()
    with pytest.raises(AppendOnlyRefused):
        run.delete()
    with pytest.raises(AppendOnlyRefused):
        SweepRun.objects.update(ok=False)


# --- compose ----------------------------------------------------------------------------------------------------


def test_compose_checks_the_web_process_through_healthz():
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]
    check = " ".join(web["healthcheck"]["test"])
    assert "/healthz" in check
    assert "127.0.0.1:8000" in check
    assert web["healthcheck"]["start_period"]
