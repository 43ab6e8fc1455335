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
from django.utils.translation import gettext_lazy

from applications import services
from applications.models import District, ImportJob

log = logging.getLogger("greenfactory.imports")


# A refused pool row's category (``services.BulkRow.reason``), as the result page counts them.
REASONS = {
    "already_pooled": gettext_lazy("Already in the pool (a dossier of this kind and year exists)"),
    "other_district": gettext_lazy("Unit of another district"),
    "unknown": gettext_lazy("Unknown unit without a name in column B"),
    "invalid_code": gettext_lazy("Invalid unified social credit code"),
    "excluded": gettext_lazy("Art. 12 circumstance in force"),
    "": gettext_lazy("Other reasons"),
}
# How many refused rows the result page lists; the rest are in the downloads.
INLINE_ROWS = 20


def report_row(result):
    """A ``BulkRow`` as stored on the job: [line, code, name, ok, message, reason]."""
    reason = getattr(result, "reason", "") or ""
    return [result.line, str(result.code), result.name, bool(result.ok), str(result.message), reason]


def summary(report):
    """Counts of a per-row report: rows, added, refused, and the refused rows by reason (largest first) with
    the first ``INLINE_ROWS`` refused rows. Reports stored before reasons were kept count as "other"."""
    added, by_reason, failed = 0, {}, []
    for row in report:
        if row[3]:
            added += 1
            continue
        reason = row[5] if len(row) > 5 and row[5] in REASONS else ""
        by_reason[reason] = by_reason.get(reason, 0) + 1
        if len(failed) < INLINE_ROWS:
            failed.append(row[:5])
    refused = len(report) - added
    reasons = sorted(
        ({"code": code, "label": REASONS[code], "count": n} for code, n in by_reason.items()),
        key=lambda r: (-r["count"], r["code"] == "", r["code"]),
    )
    return {
        "total": len(report),
        "added": added,
        "refused": refused,
        "already_pooled": by_reason.get("already_pooled", 0),
        "reasons": reasons,
        "failed": failed,
        "more_failed": refused - len(failed),
    }


def record_pool_import(user, results, *, district, kind, cycle_year, filename=""):
    """Keep a sheet imported at once (below ``IMPORT_SYNC_ROWS``) as a finished job, so its report and its
    refused rows can be downloaded like a background import's. Returns the job."""
    now = timezone.now()
    report = [report_row(r) for r in results]
    return ImportJob.objects.create(
        user=user,
        kind=ImportJob.Kind.POOL,
        filename=filename[:200],
        params={"district": district.pk, "kind": kind, "cycle_year": cycle_year},
        status=ImportJob.Status.DONE,
        total=len(report),
        done=len(report),
        report=report,
        finished_at=now,
    )


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
        for line, code, name, ok, message, *_rest in report
    )
    return headers, rows


def failed_sheet(report):
    """(headers, rows) of the refused rows alone, laid out as an import sheet (credit code in column A, name
    in B; the reason and the original row after them), so the officer corrects them and sends the file again."""
    headers = [_("Unified social credit code"), _("Name"), _("Reason"), _("Row")]
    rows = ([code, name, message, line] for line, code, name, ok, message, *_rest in report if not ok)
    return headers, rows
