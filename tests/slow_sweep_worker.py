"""The Celery app a test worker runs (``celery -A tests.slow_sweep_worker worker``): greenfactory's own app, with
a pause after each committed chunk of the lapse sweep, so that tests/test_celery_reliability.py can kill the
worker between two chunks. Nothing else differs; the pause is ``GF_TEST_CHUNK_PAUSE`` seconds."""

import os
import time

import django

from greenfactory.celery import app  # sets DJANGO_SETTINGS_MODULE

django.setup()

from django.db import transaction  # noqa: E402

from applications import deadlines  # noqa: E402
from greenfactory import chunks  # noqa: E402

PAUSE = float(os.environ.get("GF_TEST_CHUNK_PAUSE", "1"))


def in_chunks_with_a_pause(pks, work, *, size=None):
    def work_then_pause(chunk):
        done = work(chunk)
        transaction.on_commit(lambda: time.sleep(PAUSE))  # after the chunk's commit (and its notifications)
        return done

    return chunks.in_chunks(pks, work_then_pause, size=size)


deadlines.in_chunks = in_chunks_with_a_pause

__all__ = ["app"]
