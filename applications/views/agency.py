"""The agency's workspace: its clients' dossiers, report uploads and its yearly quota (第二十四条)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Role
from applications import services
from applications.forms import AgencyFlagForm, ReportUploadForm
from applications.models.organisations import AGENCY_YEARLY_QUOTA


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


@login_required
def agency_list(request):
    """第二十三条: district officers follow the agencies' work and flag poor work; the city sees every flag."""
    if not (request.user.role == Role.DISTRICT or scoping.is_city(request.user)):
        raise Http404
    agencies = scoping.agencies_for(request.user).prefetch_related("flags__district", "flags__flagged_by")
    year = timezone.localdate().year
    rows = [{"agency": a, "used": a.evaluations_in_year(year), "barred": a.is_barred()} for a in agencies]
    form = AgencyFlagForm(request.POST or None, agencies=agencies)
    if request.method == "POST":
        if request.user.role != Role.DISTRICT:
            raise Http404
        if form.is_valid():
            try:
                services.flag_agency(
                    form.cleaned_data["agency"],
                    district=request.user.district,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except services.TransitionRefused as refused:
                form.add_error("reason", refused.message)
            else:
                messages.success(request, _("The agency was flagged (Art. 23)."))
                return redirect("agency_list")
    context = {
        "rows": rows,
        "form": form,
        "year": year,
        "quota": AGENCY_YEARLY_QUOTA,
        "may_flag": request.user.role == Role.DISTRICT,
    }
    return render(request, "applications/agencies.html", context)
