"""The Celery application.

Broker: Redis when ``REDIS_URL`` is set; otherwise kombu's filesystem transport under ``var/``
so that the demo runs deadlines without any service (see ../shared/STACK.md).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenfactory.settings")

app = Celery("greenfactory")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["greenfactory"])
