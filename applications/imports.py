"""Large imports in the background (issue 13): a sheet of more than ``IMPORT_SYNC_ROWS`` rows becomes an
``ImportJob`` that a Celery task runs chunk by chunk, with progress the officer's page polls, and a
per-row report kept on the job (shown, and downloadable as .xlsx). Smaller sheets are imported at once.
Two kinds: a district's pool sheet (``services.bulk_pool``) and MIIT's national list
(``registry.national_list.import_rows``)."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services
from applications.models import District, ImportJob

log = logging.getLogger("greenfactory.imports")


def report_row(result):
    """A ``BulkRow`` as stored on the job: [line, code, name, ok, message]."""
    return [result.line, str(result.code), result.name, bool(result.ok), str(result.message)]


def start_pool_import(user, rows, *, district, kind, cycle_year, filename=""):
    """Queue the pool import of ``rows``; the task starts once this transaction commits. Returns the job."""
    from applications.tasks import run_import

    job = ImportJob.objects.create(
        user=user,
        kind=ImportJob.Kind.POOL,
        filename=filename[:200],
        params={"district": district.pk, "kind": kind, "cycle_year": cycle_year},
        rows=[list(row) for row in rows],
        total=len(rows),
    )
    transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def start_national_import(user, rows, *, year, kind, digest, filename=""):
    """Queue the import of MIIT's national list ``rows`` (``registry.national_list.read_national_list``): its
    ``NationalImport`` record now (one per file, so a sheet sent twice is one import), the rows in the
    background. Returns the job."""
    from applications.tasks import run_import
    from registry.models import NationalImport

    national_import, _created = NationalImport.objects.get_or_create(
        year=year, kind=kind, digest=digest, defaults={"filename": filename[:200], "imported_by": user}
    )
    job = ImportJob.objects.create(
        user=user,
        kind=ImportJob.Kind.NATIONAL,
        filename=filename[:200],
        params={"national_import": national_import.pk},
        rows=[list(row) for row in rows],
        total=len(rows),
    )
    transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def is_large(rows):
    return len(rows) > settings.IMPORT_SYNC_ROWS


def run(job):
    """Run ``job`` (a Celery task calls this): claim it, import chunk by chunk saving progress, keep the report."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return job  # another worker has it, or it is finished

    def progress(done):
        ImportJob.objects.filter(pk=job.pk).update(done=done)

    try:
        if job.kind == ImportJob.Kind.POOL:
            params = job.params
            results = services.bulk_pool(
                [tuple(row) for row in job.rows],
                district=District.objects.get(pk=params["district"]),
                kind=params["kind"],
                cycle_year=params["cycle_year"],
                by=job.user,
                progress=progress,
            )
            report = [report_row(r) for r in results]
        elif job.kind == ImportJob.Kind.NATIONAL:
            from registry import national_list
            from registry.models import NationalImport

            results = national_list.import_rows(
                NationalImport.objects.get(pk=job.params["national_import"]),
                [tuple(row) for row in job.rows],
                by=job.user,
                progress=progress,
            )
            report = [report_row(r) for r in results]
        else:
            raise ValueError(f"unknown import {job.kind}")
    except Exception as error:
        log.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, done=len(report), report=report, rows=[], finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def report_sheet(report):
    """(headers, rows) of a per-row report for ``spreadsheets.xlsx_response``."""
    headers = [_("Row"), _("Credit code"), _("Name"), _("Result"), _("Reason")]
    rows = (
        [line, code, name, _("Imported") if ok else _("Not imported"), message]
        for line, code, name, ok, message in report
    )
    return headers, rows
