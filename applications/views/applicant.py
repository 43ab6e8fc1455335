"""The applicant's workspace: self-evaluation (draft, submit, resubmit) and pool requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Role
from applications import services
from applications.forms import OrganisationProfileForm, PoolRequestForm, ReplacementReportForm, SelfEvaluationForm


@login_required
def self_evaluation(request, pk):
    dossier = scoping.get_dossier(request.user, pk)
    if not scoping.may_edit_evaluation(request.user, dossier):
        raise Http404
    organisation = dossier.organisation
    submitting = request.method == "POST" and "submit" in request.POST
    if request.method == "POST":
        form = SelfEvaluationForm(request.POST, request.FILES, dossier=dossier, strict=submitting)
        profile = OrganisationProfileForm(request.POST, instance=organisation, prefix="org")
        if form.is_valid() and profile.is_valid():
            try:
                # The draft (profile, answers, files) lands whole or not at all ...
                with transaction.atomic():
                    profile.instance._history_user = request.user
                    profile.save()
                    services.save_self_evaluation(
                        dossier,
                        values=form.draft_values(),
                        by=request.user,
                        evidence_file=form.cleaned_data.get("evidence_file") or None,
                        report_file=form.cleaned_data.get("report") or None,
                    )
            except ValidationError as invalid:
                form.add_error("report", invalid)
            except services.TransitionRefused as refused:
                form.add_error(None, refused.message)
            else:
                if not submitting:
                    messages.success(request, _("Draft saved."))
                    return redirect("self_evaluation", pk=pk)
                # ... and a refused submission keeps the saved draft.
                try:
                    services.submit_self_evaluation(dossier, by=request.user)
                except services.TransitionRefused as refused:
                    messages.error(
                        request, _("Your draft was saved but not submitted: %(why)s") % {"why": refused.message}
                    )
                    return redirect("self_evaluation", pk=pk)
                messages.success(request, _("Submitted to the district."))
                return redirect("dossier_detail", pk=pk)
        messages.error(request, _("Please correct the marked fields."))
    else:
        form = SelfEvaluationForm(initial=SelfEvaluationForm.initial_for(dossier), dossier=dossier)
        profile = OrganisationProfileForm(instance=organisation, prefix="org")
    return render(request, "applications/self_evaluation.html", {"dossier": dossier, "form": form, "profile": profile})


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
