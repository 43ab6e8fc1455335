"""docker-compose.yml describes the production shape; Docker is not on these machines, so it is read."""

from pathlib import Path
from urllib.parse import urlparse

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_of_the_production_shape_exists():
    assert set(compose()["services"]) == {"db", "redis", "web", "worker", "beat"}


def test_app_services_share_database_and_broker_that_point_at_existing_services():
    services = compose()["services"]
    environments = {name: services[name]["environment"] for name in ("web", "worker", "beat")}
    assert len({(e["DATABASE_URL"], e["REDIS_URL"]) for e in environments.values()}) == 1
    env = environments["web"]
    assert urlparse(env["DATABASE_URL"]).hostname in services
    assert urlparse(env["REDIS_URL"]).hostname in services
    assert urlparse(env["DATABASE_URL"]).path.lstrip("/") == services["db"]["environment"]["POSTGRES_DB"]
    assert env["DEMO_MODE"] == "false"


def test_dependencies_name_existing_services_and_wait_for_health():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert set(depends) <= set(services)
        for dependency, rule in depends.items():
            assert rule["condition"] == "service_healthy"
            assert "healthcheck" in services[dependency]


def test_commands_run_the_wsgi_app_worker_and_beat_of_this_project():
    services = compose()["services"]
    assert "greenfactory.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "greenfactory", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "greenfactory", "beat"]


def test_image_installs_the_system_packages_for_chinese_pdfs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("fonts-noto-cjk", "libharfbuzz-subset0"):
        assert package in dockerfile
    assert "requirements.txt" in dockerfile
