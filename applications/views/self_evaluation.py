"""The step-by-step self-evaluation (issue 10): every step saves; the last one lists what is missing.

The applicant fills every step. Where an agency was commissioned, the agency fills the items and its
evaluation result (the applicant sees them read-only); the applicant still signs and submits (第十四条).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Role
from applications import evaluations, scoring, services
from applications.evaluation_forms import (
    AgencyConclusionForm,
    BasicInformationForm,
    EligibilityForm,
    EvaluationModeForm,
    ExclusionsForm,
    ItemsForm,
    PlanForm,
    SignedReportForm,
    yes_no,
)
from applications.models import EDITABLE_STATES, EvaluationMode

AGENCY_STEPS = {"items", "conclusion"}


def _may_edit(user, dossier, step):
    """Who edits which step now; everything else of the form is shown read-only."""
    if dossier.state not in EDITABLE_STATES:
        return False
    agency_mode = dossier.evaluation_mode == EvaluationMode.AGENCY
    if user.role == Role.AGENCY:
        return agency_mode and step in AGENCY_STEPS and scoping.may_upload_report(user, dossier)
    if not scoping.may_edit_evaluation(user, dossier):
        return False
    return not (agency_mode and step in AGENCY_STEPS)


def _may_open(user, dossier):
    return scoping.may_edit_evaluation(user, dossier) or scoping.may_upload_report(user, dossier)


@login_required
def self_evaluation(request, pk, step=None):
    dossier = scoping.get_dossier(request.user, pk)
    if not _may_open(request.user, dossier):
        raise Http404
    steps = evaluations.steps_for(dossier)
    codes = [code for code, _label in steps]
    if step is None:
        evaluation = evaluations.evaluation_of(dossier)
        saved = set(evaluation.steps_saved if evaluation else [])
        first = "items" if request.user.role == Role.AGENCY else next((c for c in codes if c not in saved), codes[-1])
        return redirect("self_evaluation_step", pk=pk, step=first)
    if step not in codes:
        raise Http404
    evaluation = evaluations.get_or_start(dossier, by=request.user)
    editable = _may_edit(request.user, dossier, step)
    handler = STEP_HANDLERS[step]
    context = {"dossier": dossier, "evaluation": evaluation, "editable": editable, "step": step}
    if request.method == "POST":
        if not editable:
            raise Http404
        outcome = handler(request, dossier, evaluation, context)
        if outcome is not None:
            return outcome
    else:
        handler(None, dossier, evaluation, context)
    evaluation.refresh_from_db()
    saved = set(evaluation.steps_saved)
    context.update(
        steps=[(code, label, code in saved) for code, label in steps],
        step_label=dict(steps)[step],
        next_step=codes[codes.index(step) + 1] if codes.index(step) + 1 < len(codes) else None,
        previous_step=codes[codes.index(step) - 1] if codes.index(step) else None,
        done=len([c for c in codes if c in saved]),
        total_steps=len(codes),
        score=evaluations.current_score(evaluation, dossier),
        error_summary=error_summary(context.get("form"), context.get("mode_form")),
    )
    return render(request, f"applications/self_evaluation/{step}.html", context)


def _after_save(request, dossier, step, message=None):
    messages.success(request, message or _("Saved."))
    codes = [code for code, _label in evaluations.steps_for(dossier)]
    if "next" in request.POST and codes.index(step) + 1 < len(codes):
        return redirect("self_evaluation_step", pk=dossier.pk, step=codes[codes.index(step) + 1])
    return redirect("self_evaluation_step", pk=dossier.pk, step=step)


def _refused(form, error):
    form.add_error(None, getattr(error, "message", None) or "; ".join(getattr(error, "messages", [str(error)])))


def basic_step(request, dossier, evaluation, context):
    organisation = dossier.organisation
    initial = {"evaluation_mode": dossier.evaluation_mode, "agency": dossier.agency_id}
    if request is None:
        context.update(
            form=BasicInformationForm(instance=organisation, prefix="org"),
            mode_form=EvaluationModeForm(initial=initial),
        )
        return None
    form = BasicInformationForm(request.POST, instance=organisation, prefix="org")
    mode_form = EvaluationModeForm(request.POST, initial=initial)
    context.update(form=form, mode_form=mode_form)
    if form.is_valid() and mode_form.is_valid():
        try:
            with transaction.atomic():
                form.instance._history_user = request.user
                form.save()
                services.save_self_evaluation(
                    dossier,
                    values={
                        "evaluation_mode": mode_form.cleaned_data["evaluation_mode"],
                        "agency": mode_form.cleaned_data["agency"],
                    },
                    by=request.user,
                )
                evaluations.save_fields(dossier, by=request.user, step="basic")
        except (services.TransitionRefused, evaluations.EvaluationRefused) as refused:
            _refused(mode_form, refused)
        else:
            return _after_save(request, dossier, "basic")
    messages.error(request, _("Please correct the fields listed at the top."))
    return None


def eligibility_step(request, dossier, evaluation, context):
    if request is None:
        context["form"] = EligibilityForm(
            initial=EligibilityForm.initial_for(evaluation.eligibility_answers), kind=dossier.kind
        )
        return None
    form = context["form"] = EligibilityForm(request.POST, kind=dossier.kind)
    if form.is_valid():
        try:
            evaluations.save_fields(dossier, by=request.user, step="eligibility", eligibility_answers=form.answers())
        except evaluations.EvaluationRefused as refused:
            _refused(form, refused)
        else:
            return _after_save(request, dossier, "eligibility")
    messages.error(request, _("Please correct the fields listed at the top."))
    return None


def exclusions_step(request, dossier, evaluation, context):
    if request is None:
        context["form"] = ExclusionsForm(initial=ExclusionsForm.initial_for(evaluation.exclusion_answers))
        return None
    form = context["form"] = ExclusionsForm(request.POST)
    if form.is_valid():
        try:
            evaluations.save_fields(dossier, by=request.user, step="exclusions", exclusion_answers=form.answers())
        except evaluations.EvaluationRefused as refused:
            _refused(form, refused)
        else:
            return _after_save(request, dossier, "exclusions")
    messages.error(request, _("Please correct the fields listed at the top."))
    return None


def _item_rows(form, evaluation):
    """Areas → rows of (item, its form fields, its evidence [(number, file)]) for the template."""
    evidence = evaluations.evidence_by_item(evaluation)
    areas = []
    for item in form.items:
        if not areas or areas[-1][0].pk != item.area_id:
            areas.append((item.area, []))
        fields = [form[f"value_{item.code}"] if item.is_quantitative else form[f"met_{item.code}"]]
        areas[-1][1].append(
            {
                "item": item,
                "answer": fields[0],
                "note": form[f"note_{item.code}"],
                "evidence": evidence.get(item.pk, []),
                "file_errors": form.file_errors.get(item.code, []),
            }
        )
    return areas


def items_step(request, dossier, evaluation, context):
    items = list(evaluation.template.ordered_items())
    if request is None:
        form = ItemsForm(initial=ItemsForm.initial_for(evaluations.answers_of(evaluation)), items=items)
        form.file_errors = {}
    else:
        if "withdraw" in request.POST:
            # The withdraw button submits the whole form: the file leaves the index, the answers are saved.
            try:
                evaluations.withdraw_evidence(dossier, evidence_id=int(request.POST["withdraw"]), by=request.user)
            except (ValueError, evaluations.EvidenceFile.DoesNotExist, evaluations.EvaluationRefused):
                messages.error(request, _("That file could not be withdrawn."))
            else:
                messages.success(request, _("The file was withdrawn from the evidence index."))
        form = ItemsForm(request.POST, items=items)
        form.file_errors = {}
        # Evidence is stored first, item by item, so that files are kept when another field fails.
        kept = 0
        for item in items:
            uploaded = request.FILES.getlist(f"evidence_{item.code}")
            if not uploaded:
                continue
            try:
                kept += len(
                    evaluations.add_evidence(dossier, item_code=item.code, uploaded_files=uploaded, by=request.user)
                )
            except ValidationError as invalid:
                form.file_errors[item.code] = invalid.messages
            except evaluations.EvaluationRefused as refused:
                form.file_errors[item.code] = [refused.message]
        valid = form.is_valid() and not form.file_errors
        if form.is_valid():
            try:
                evaluations.save_item_answers(dossier, answers=form.answers(), by=request.user, step="items")
            except evaluations.EvaluationRefused as refused:
                _refused(form, refused)
                valid = False
        if valid:
            return _after_save(request, dossier, "items")
        for code, errors in form.file_errors.items():
            for error in errors:
                form.add_error(None, f"{code}: {error}")
        if kept:
            messages.info(request, _("%(count)s uploaded files were kept.") % {"count": kept})
        messages.error(request, _("Please correct the fields listed at the top."))
    evaluation.refresh_from_db()
    context.update(
        form=form,
        areas=_item_rows(form, evaluation),
        template_json=scoring.template_json(evaluation.template, items),
        pass_mark=evaluations.pass_mark_of(dossier),
    )
    return None


def conclusion_step(request, dossier, evaluation, context):
    if request is None:
        context["form"] = AgencyConclusionForm(
            initial={
                "agency_basic_met": yes_no(evaluation.agency_basic_met),
                "agency_score": evaluation.agency_score,
                "agency_highlights": evaluation.agency_highlights,
                "agency_pledge": evaluation.agency_pledge,
            }
        )
        return None
    form = context["form"] = AgencyConclusionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            evaluations.save_fields(
                dossier,
                by=request.user,
                step="conclusion",
                agency_basic_met={"yes": True, "no": False}.get(data["agency_basic_met"]),
                agency_score=data["agency_score"],
                agency_highlights=data["agency_highlights"],
                agency_pledge=data["agency_pledge"],
                agency_concluded_by=request.user,
                agency_concluded_at=timezone.now(),
            )
        except evaluations.EvaluationRefused as refused:
            _refused(form, refused)
        else:
            return _after_save(request, dossier, "conclusion")
    messages.error(request, _("Please correct the fields listed at the top."))
    return None


def plan_step(request, dossier, evaluation, context):
    if request is None:
        context["form"] = PlanForm(initial={"problems_and_plan": evaluation.problems_and_plan})
        return None
    form = context["form"] = PlanForm(request.POST)
    if form.is_valid():
        try:
            evaluations.save_fields(
                dossier, by=request.user, step="plan", problems_and_plan=form.cleaned_data["problems_and_plan"]
            )
        except evaluations.EvaluationRefused as refused:
            _refused(form, refused)
        else:
            return _after_save(request, dossier, "plan")
    messages.error(request, _("Please correct the fields listed at the top."))
    return None


def report_step(request, dossier, evaluation, context):
    if request is None:
        form = SignedReportForm(initial={"pledge": evaluation.pledge})
    else:
        form = SignedReportForm(request.POST, request.FILES)
        if form.is_valid():
            pledge, scan = form.cleaned_data["pledge"], form.cleaned_data["report"]
            try:
                with transaction.atomic():
                    evaluations.save_fields(dossier, by=request.user, step="report", pledge=pledge)
                    if scan:
                        services.attach_report(dossier, uploaded_file=scan, attested=pledge, by=request.user)
            except ValidationError as invalid:
                form.add_error("report" if pledge else "pledge", invalid)
            except (services.TransitionRefused, evaluations.EvaluationRefused) as refused:
                _refused(form, refused)
            else:
                if "submit" not in request.POST:
                    return _after_save(request, dossier, "report")
                try:
                    services.submit_self_evaluation(dossier, by=request.user)
                except services.TransitionRefused as refused:
                    messages.error(
                        request, _("Your answers were saved but not submitted: %(why)s") % {"why": refused.message}
                    )
                    return redirect("self_evaluation_step", pk=dossier.pk, step="report")
                messages.success(request, _("Submitted to the district."))
                return redirect("dossier_detail", pk=dossier.pk)
        messages.error(request, _("Please correct the fields listed at the top."))
    context.update(
        form=form,
        checklist=[
            (message, reverse("self_evaluation_step", args=[dossier.pk, step]) + f"#{anchor}")
            for message, step, anchor in evaluations.submission_checklist(dossier)
        ],
        report_versions=dossier.report_versions.select_related("uploaded_by"),
    )
    return None


STEP_HANDLERS = {
    "basic": basic_step,
    "eligibility": eligibility_step,
    "exclusions": exclusions_step,
    "items": items_step,
    "conclusion": conclusion_step,
    "plan": plan_step,
    "report": report_step,
}


def error_summary(*forms):
    """Errors listed at the top, each with a link to its field: [(label, message, anchor)]."""
    summary = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            if name == "__all__":
                summary.extend(("", error, "") for error in errors)
                continue
            field = form[name]
            if name.startswith(("met_", "value_", "note_")):
                anchor = "item-" + name.split("_", 1)[1]
            else:
                anchor = field.id_for_label or f"{field.auto_id}_0"
            summary.extend((field.label, error, anchor) for error in errors)
    return summary
