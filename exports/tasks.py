from celery import shared_task

from exports import services
from exports.models import ExportJob


@shared_task(name="exports.build_export", acks_late=True)
def build_export(job_id):
    job = ExportJob.objects.filter(pk=job_id).select_related("user").first()
    if job is None or job.status not in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
        return 0
    return services.build(job).rows_done
