"""The applicant's workspace: pool requests and a replacement report (the self-evaluation is in self_evaluation)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Role
from applications import services
from applications.forms import PoolRequestForm, ReplacementReportForm


@login_required
def pool_request(request):
    if request.user.role != Role.APPLICANT or not request.user.organisation_id:
        raise Http404
    form = PoolRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_pool(
                request.user.organisation,
                kind=form.cleaned_data["kind"],
                cycle_year=form.cleaned_data["cycle_year"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except services.TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("Your request was sent to %(district)s.")
                % {"district": request.user.organisation.district.bureau_name},
            )
            return redirect("home")
    return render(
        request, "applications/pool_request.html", {"form": form, "requests": scoping.pool_requests_for(request.user)}
    )


@login_required
def replace_report(request, pk):
    """第二十五条: the applicant attaches a new report after its agency was barred."""
    dossier = scoping.get_dossier(request.user, pk)
    if not scoping.may_replace_barred_report(request.user, dossier):
        raise Http404
    form = ReplacementReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.replace_barred_report(
                dossier,
                uploaded_file=form.cleaned_data["report"],
                attested=form.cleaned_data["attested"],
                agency=form.cleaned_data["agency"],
                by=request.user,
            )
        except ValidationError as invalid:
            form.add_error("report", invalid)
        except services.TransitionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The new evaluation report was attached."))
            return redirect("dossier_detail", pk=pk)
    return render(request, "applications/replace_report.html", {"dossier": dossier, "form": form})
