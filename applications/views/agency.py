"""The agency's workspace: its clients' dossiers, report uploads and its yearly quota (第二十四条)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import scoping
from applications import services
from applications.forms import ReportUploadForm


@login_required
def upload_report(request, pk):
    dossier = scoping.get_dossier(request.user, pk)
    if not scoping.may_upload_report(request.user, dossier):
        raise Http404
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attach_report(dossier, uploaded_file=form.cleaned_data["report"], attested=True, by=request.user)
        except ValidationError as invalid:
            form.add_error("report", invalid)
        except services.TransitionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The evaluation report was uploaded."))
            return redirect("dossier_detail", pk=pk)
    quota = scoping.agency_quota(request.user.agency)
    return render(request, "applications/upload_report.html", {"dossier": dossier, "form": form, "quota": quota})
