"""A background export's page (progress, then the download link) and its file: its owner's only (404)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from applications.spreadsheets import XLSX_MIME
from exports.models import ExportJob


def own_job(request, pk):
    return get_object_or_404(ExportJob, pk=pk, user=request.user)


@login_required
def job_page(request, pk):
    job = own_job(request, pk)
    template = "exports/_progress.html" if request.htmx else "exports/job.html"
    return render(request, template, {"job": job})


@login_required
def download(request, pk):
    """The file, as an attachment; audit.middleware records the download as an export of a list."""
    job = own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    name = job.file.name.rsplit("/", 1)[-1]
    response = FileResponse(job.file.open("rb"), content_type=XLSX_MIME, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
