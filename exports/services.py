"""Exports: small ones answered at once, large ones (over ``EXPORT_BACKGROUND_ROWS`` rows) built by a Celery
task while the user watches a progress bar; files expire after ``EXPORT_KEEP_DAYS`` days."""

import datetime
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone

from applications.spreadsheets import value_rows, write_xlsx, xlsx_filename, xlsx_response
from exports.kinds import KINDS, as_query
from exports.models import ExportJob

# Request parameters that choose a page or a format, not rows.
NOT_FILTERS = ("format", "page")


def filters_of(query):
    return {key: query.getlist(key) for key in query if key not in NOT_FILTERS}


def respond(request, kind):
    """The export ``kind`` of the rows the request's filters find: the file itself, or, above the threshold, a
    background job and a redirect to its progress page."""
    spec = KINDS[kind]
    params = filters_of(request.GET)
    queryset = spec.rows(request.user, as_query(params))
    total = queryset.count()
    if total > settings.EXPORT_BACKGROUND_ROWS:
        return redirect(start(request.user, kind, params, total=total))
    rows = value_rows(queryset, spec.columns)
    return xlsx_response(spec.filename, [c.header for c in spec.columns], rows, title=spec.title)


def start(user, kind, params, *, total=0):
    """Create the job and queue its task once the job row is committed."""
    from exports.tasks import build_export

    job = ExportJob.objects.create(user=user, kind=kind, params=params, total=total)
    transaction.on_commit(lambda: build_export.delay(job.pk))
    return job


def build(job):
    """Write the job's spreadsheet, saving the progress after every chunk of rows; a failure is kept on the job."""
    spec = KINDS[job.kind]
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, error="")
    try:
        queryset = spec.rows(job.user, as_query(job.params))
        total = queryset.count()
        ExportJob.objects.filter(pk=job.pk).update(total=total)

        def progress(done):
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

        with tempfile.TemporaryFile() as spool:
            headers = [c.header for c in spec.columns]
            done = write_xlsx(spool, headers, value_rows(queryset, spec.columns), title=spec.title, progress=progress)
            spool.seek(0)
            job.refresh_from_db()
            job.file.save(xlsx_filename(spec.filename), File(spool), save=False)
        job.rows_done, job.total, job.status = done, done, ExportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "rows_done", "total", "status", "finished_at"])
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    return job


def expire_exports(now):
    """Sweep: delete the files of exports finished more than ``EXPORT_KEEP_DAYS`` days ago (the job row stays,
    marked expired, so the page says so instead of a broken link)."""
    cutoff = now - datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
    changes = []
    for job in ExportJob.objects.filter(finished_at__lt=cutoff).exclude(status=ExportJob.Status.EXPIRED):
        if job.file:
            job.file.delete(save=False)
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["file", "status"])
        changes.append(f"export {job.pk} ({job.kind}) expired")
    return changes
