"""docker-compose.yml describes the production shape; Docker is not on these machines, so it is read."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("migrate", "web", "worker", "beat", "backup")


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def nginx_conf():
    return (ROOT / "deploy" / "nginx.conf").read_text()


def named_volumes(service):
    """{mount point: volume name} of the named volumes a service mounts (not bind mounts of files)."""
    mounts = {}
    for entry in service.get("volumes", []):
        source, target, *_mode = entry.split(":")
        if not source.startswith((".", "/")):
            mounts[target] = source
    return mounts


def test_every_service_of_the_production_shape_exists():
    assert set(compose()["services"]) == {"db", "redis", "migrate", "web", "proxy", "worker", "beat", "backup"}


def test_app_services_share_database_and_broker_that_point_at_existing_services():
    services = compose()["services"]
    environments = {name: services[name]["environment"] for name in APP_SERVICES}
    assert len({(e["DATABASE_URL"], e["REDIS_URL"], e["MEDIA_STORAGE"]) for e in environments.values()}) == 1
    env = environments["web"]
    assert urlparse(env["DATABASE_URL"]).hostname in services
    assert urlparse(env["REDIS_URL"]).hostname in services
    assert urlparse(env["DATABASE_URL"]).path.lstrip("/") == services["db"]["environment"]["POSTGRES_DB"]
    assert env["DEMO_MODE"] == "false"


def test_dependencies_name_existing_services_and_wait_for_health_or_the_migration():
    services = compose()["services"]
    for name in (*APP_SERVICES, "proxy"):
        depends = services[name]["depends_on"]
        assert set(depends) <= set(services)
        for dependency, rule in depends.items():
            if dependency == "migrate":
                assert rule["condition"] == "service_completed_successfully"
            else:
                assert rule["condition"] == "service_healthy"
                assert "healthcheck" in services[dependency]
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_commands_run_the_wsgi_app_worker_and_beat_of_this_project():
    services = compose()["services"]
    assert "greenfactory.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "greenfactory", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "greenfactory", "beat"]


def test_migrations_run_once_before_the_replicas_not_in_each():
    services = compose()["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat", "backup"):
        assert "migrate" not in " ".join(services[name]["command"])


def test_two_stateless_web_replicas_behind_the_proxy_only():
    services = compose()["services"]
    web = services["web"]
    assert web["deploy"]["replicas"] == 2
    assert "ports" not in web, "replicas publish no host port: the proxy does"
    assert "8000" in [str(p) for p in web["expose"]]
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    # No state on a replica's own disk: media on the shared volume (or object storage), sessions in the database,
    # cache and broker in Redis.
    assert named_volumes(web) == {"/app/var/media": "media"}
    assert web["environment"]["MEDIA_ROOT"] == "/app/var/media"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert "PROMETHEUS_MULTIPROC_DIR" in web["environment"]
    assert "python:operations.gunicorn_conf" in web["command"]


def test_the_proxy_forwards_to_every_replica_with_request_id_and_scheme():
    proxy = compose()["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert proxy["ports"] == ["80:80"]
    assert "/healthz" in " ".join(proxy["healthcheck"]["test"])
    conf = nginx_conf()
    upstream = re.search(r"upstream (\w+) \{(.*?)\}", conf, re.S)
    assert re.search(r"server web:8000 resolve\b", upstream.group(2)), "every replica, re-resolved"
    assert f"proxy_pass http://{upstream.group(1)};" in conf
    for header in ("X-Request-ID", "X-Forwarded-Proto", "X-Forwarded-For", "X-Real-IP", "Host"):
        assert re.search(rf"proxy_set_header {header} \$", conf), header
    assert "location = /healthz" in conf
    assert re.search(r"location = /metrics \{\s*return 404;", conf), "metrics are scraped per replica, not here"
    env = compose()["services"]["web"]["environment"]
    assert env["RATELIMIT_CLIENT_IP_HEADER"] == "HTTP_X_REAL_IP"
    assert env["REQUEST_ID_HEADER"] == "HTTP_X_REQUEST_ID"


def test_exactly_one_beat_whose_schedule_survives_a_restart():
    services = compose()["services"]
    beats = [name for name, s in services.items() if "beat" in s.get("command", []) or "--beat" in s.get("command", [])]
    assert beats == ["beat"]
    beat = services["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    schedule = beat["command"][beat["command"].index("--schedule") + 1]
    mounts = named_volumes(beat)
    assert any(schedule.startswith(point + "/") for point in mounts), "the schedule file is on a volume"
    assert mounts == {"/app/var/beat": "beat"}


def test_a_daily_backup_writes_to_its_own_volume():
    services = compose()["services"]
    backup = services["backup"]
    assert backup["image"] == services["web"]["image"]
    script = " ".join(backup["command"])
    assert "manage.py backup" in script
    assert "86400" in script
    assert backup["environment"]["BACKUP_DIR"] == "/app/var/backups"
    assert named_volumes(backup) == {"/app/var/media": "media", "/app/var/backups": "backups"}
    assert "/app/var/media:ro" in " ".join(backup["volumes"]), "the backup only reads the media"
    assert "manifest.json" in " ".join(backup["healthcheck"]["test"])


def test_every_named_volume_is_declared():
    data = compose()
    used = {volume for service in data["services"].values() for volume in named_volumes(service).values()}
    assert used <= set(data["volumes"])
    assert {"pgdata", "media", "beat", "backups"} <= set(data["volumes"])


def test_image_installs_the_system_packages_for_chinese_pdfs_and_backups():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("fonts-noto-cjk", "libharfbuzz-subset0", "postgresql-client"):
        assert package in dockerfile
    assert "requirements.txt" in dockerfile
    assert "mkdir -p /app/var/media /app/var/beat /app/var/backups" in dockerfile
    # bookworm's postgresql-client is 15: the same major version as the database image.
    assert "bookworm" in dockerfile
    assert compose()["services"]["db"]["image"] == "postgres:15"


def test_s3_media_storage_is_chosen_by_configuration():
    """MEDIA_STORAGE=s3: django-storages' S3 backend, private objects, endpoint and bucket from the environment."""
    import json
    import os
    import subprocess
    import sys

    probe = (
        "import django, json; django.setup(); from django.core.files.storage import storages; s = storages['default'];"
        "print(json.dumps([type(s).__module__ + '.' + type(s).__name__, s.bucket_name, s.endpoint_url,"
        " s.default_acl, s.file_overwrite, s.location]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "greenfactory.settings",
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "gf-media",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    result = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "storages.backends.s3.S3Storage",
        "gf-media",
        "http://127.0.0.1:9000",
        "private",
        False,
        "media",
    ]
    bad = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "MEDIA_STORAGE": "nfs"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "MEDIA_STORAGE" in bad.stderr


@pytest.mark.django_db
def test_private_files_are_read_through_the_storage_never_a_local_path(world, settings, client, monkeypatch):
    """On a storage that is not this machine's disk (object storage; here Django's in-memory one) and with a
    file's local path refused (as django-storages' S3 backend refuses it), uploads are saved and the scoped views
    still serve them."""
    from django.db.models.fields.files import FieldFile

    def no_path(self):
        raise NotImplementedError("object storage has no local path")

    from django.urls import reverse

    from applications.models import State
    from tests.conftest import make_dossier
    from tests.factories import MINIMAL_PDF

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    monkeypatch.setattr(FieldFile, "path", property(no_path))
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    with pytest.raises(NotImplementedError):
        dossier.report.path  # noqa: B018
    client.force_login(world.applicant_a)
    response = client.get(reverse("dossier_file", args=[dossier.pk, "report"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    evidence = dossier.self_evaluation.evidence_files.first()
    response = client.get(reverse("evidence_file", args=[dossier.pk, evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    media_root = Path(settings.MEDIA_ROOT)
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))
