"""A background import's page (progress, polled by htmx every 2 s), its result summary, its per-row report as
.xlsx and the refused rows alone as .xlsx (to correct and send again).

Only the user who sent the sheet sees its job; anyone else gets 404.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from applications import imports
from applications.models import ImportJob
from applications.spreadsheets import xlsx_response


def own_job(request, pk):
    return get_object_or_404(ImportJob, pk=pk, user=request.user)


@login_required
def job_page(request, pk):
    job = own_job(request, pk)
    template = (
        "applications/_import_progress.html" if request.headers.get("HX-Request") else "applications/import_job.html"
    )
    context = {"job": job, "summary": imports.summary(job.report) if job.status == ImportJob.Status.DONE else None}
    return render(request, template, context)


@login_required
def report(request, pk):
    job = own_job(request, pk)
    headers, rows = imports.report_sheet(job.report)
    return xlsx_response(f"import-{job.pk}-report", headers, rows, title=_("Import report"))


@login_required
def failed_rows(request, pk):
    job = own_job(request, pk)
    headers, rows = imports.failed_sheet(job.report)
    return xlsx_response(f"import-{job.pk}-not-imported", headers, rows, title=_("Rows not imported"))
