"""What ``/readyz`` checks: the database (a query with a short timeout), the broker, the storage of uploaded
files, and that every migration is applied. Each check raises on failure; ``run_checks`` times them."""

import logging
import os
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor

log = logging.getLogger("greenfactory.readiness")
PROBE = b"greenfactory readiness probe"


class NotReady(Exception):
    pass


def timeout_seconds():
    return getattr(settings, "READYZ_TIMEOUT_SECONDS", 3)


def database_aliases():
    return getattr(settings, "READYZ_DATABASES", ["default"])


def check_database():
    for alias in database_aliases():
        connection = connections[alias]
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL statement_timeout = %s", [int(timeout_seconds() * 1000)])
            cursor.execute("SELECT 1")
            if cursor.fetchone()[0] != 1:
                raise NotReady(f"unexpected answer from {alias}")


def check_migrations():
    for alias in database_aliases():
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise NotReady(f"{len(plan)} migrations not applied on {alias}")


def check_broker():
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=timeout_seconds(), socket_timeout=timeout_seconds())
        try:
            if not client.ping():
                raise NotReady("redis did not answer the ping")
        finally:
            client.close()
    elif url.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = options.get(key)
            if folder and not (os.path.isdir(folder) and os.access(folder, os.R_OK | os.W_OK | os.X_OK)):
                raise NotReady(f"the broker's {key} is not a writable folder")


def check_storage():
    name = default_storage.save(f"operations/readyz-{uuid.uuid4().hex}.probe", ContentFile(PROBE))
    try:
        with default_storage.open(name, "rb") as stored:
            if stored.read() != PROBE:
                raise NotReady("the probe file read back differs")
    finally:
        default_storage.delete(name)


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
    "migrations": check_migrations,
}
NEEDS = {"migrations": "database"}


def run_checks():
    """{check: {"ok": bool, "ms": float, "error": "ExceptionClass"?}}. Details of a failure go to the log only:
    the answer may be seen by anyone who reaches the address."""
    results = {}
    for name, check in CHECKS.items():
        needed = NEEDS.get(name)
        if needed and not results[needed]["ok"]:
            results[name] = {"ok": False, "error": f"skipped: {needed} unavailable"}
            continue
        started = time.monotonic()
        try:
            check()
        except Exception as exc:
            log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = {"ok": False, "error": type(exc).__name__}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return results
