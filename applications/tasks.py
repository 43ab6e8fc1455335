"""Celery tasks of this app: thin, they take an id and call the service."""

from celery import shared_task

from applications import imports
from applications.models import ImportJob


@shared_task(name="applications.run_import", acks_late=True)
def run_import(job_id):
    job = ImportJob.objects.filter(pk=job_id).select_related("user").first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return 0
    return imports.run(job).done
