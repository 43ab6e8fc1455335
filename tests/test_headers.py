"""Security headers and production settings (issue 12; GB/T 22239-2019 8.1.4): CSP without inline script,
HSTS and HTTPS in production, Referrer-Policy, Permissions-Policy, and `check --deploy` clean."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
# Templates WeasyPrint renders to PDF, never served as pages: their CSS stays inline in the document.
PDF_TEMPLATES = ("notices/", "applications/report/")


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_every_page_has_a_policy_without_inline_script_or_style(client, world):
    response = client.get(reverse("public_home"))

    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def template_files():
    return sorted(
        p
        for p in (ROOT / "templates").rglob("*.html")
        if not str(p.relative_to(ROOT / "templates")).startswith(PDF_TEMPLATES)
    )


def test_no_template_has_an_inline_script_or_an_event_handler():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for pattern in (inline_script, handler)
        for match in pattern.finditer(path.read_text())
    ]
    assert found == []


def test_no_page_template_has_inline_style():
    inline_style = re.compile(r"""<style\b|\sstyle\s*=\s*["']""", re.IGNORECASE)
    found = [f"{path.relative_to(ROOT)}" for path in template_files() if inline_style.search(path.read_text())]
    assert found == []


def test_static_scripts_use_no_eval():
    evaluating = re.compile(r"\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*[\"']|setInterval\s*\(\s*[\"']")
    found = [p.name for p in (ROOT / "static" / "js").glob("*.js") if evaluating.search(p.read_text())]
    assert found == []


def production_env(tmp_path, **more):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "CSP_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="portal.example.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        **more,
    )
    return env


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS")}))
"""


def settings_in(env):
    env = {**env, "DJANGO_SETTINGS_MODULE": "greenfactory.settings"}
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_to_https_and_sends_hsts_for_a_year(tmp_path):
    assert settings_in(production_env(tmp_path)) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
    }


def test_the_operator_tunes_hsts_and_the_redirect(tmp_path):
    tuned = settings_in(production_env(tmp_path, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="600"))

    assert (tuned["SECURE_SSL_REDIRECT"], tuned["SECURE_HSTS_SECONDS"]) == (False, 600)


@pytest.mark.django_db
def test_an_evidence_file_may_open_in_the_portals_own_panel_only(client, world):
    from applications.models import EvidenceFile, State
    from tests.conftest import make_dossier

    dossier = make_dossier(world.org_a, State.SUBMITTED)
    evidence = EvidenceFile.objects.filter(evaluation__dossier=dossier).first()
    client.force_login(world.municipal)

    response = client.get(reverse("evidence_file", args=[dossier.pk, evidence.pk]))
    response.close()  # a streamed file

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
