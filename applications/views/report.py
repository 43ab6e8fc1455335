"""The 自评价报告 PDF (第十四条): made from the dossier's answers, for the unit to sign, seal and upload."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from accounts import scoping
from applications import report_pdf


@login_required
def self_evaluation_report(request, pk):
    """Anyone who may see the dossier downloads its report; anyone else gets 404 from the scoping."""
    dossier = scoping.get_dossier(request.user, pk)
    response = HttpResponse(report_pdf.self_evaluation_report(dossier), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, report_pdf.filename(dossier))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
