from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import scoping
from accounts.models import Role
from applications import guidance, services
from applications.filters import DossierFilter
from applications.forms import TransitionForm
from applications.models import REASON_REQUIRED, TRANSITION_LABELS, TRANSITION_NAMES, Path
from applications.uploads import private_pdf
from exports import services as exports
from greenfactory.paging import paginate_keys_first

# What a row of applications/home.html shows: name, district, kind, year, state and ``Dossier.next_deadline``.
WORKSPACE_ROW_COLUMNS = (
    "organisation_name",
    "district__name",
    "kind",
    "cycle_year",
    "state",
    "publicity_ends_on",
    "next_recheck_due",
)


@login_required
def home(request):
    """Each role's home: its panel and the dossiers in its scope, with state and next deadline."""
    dossier_filter = DossierFilter(request.GET, queryset=scoping.dossiers_for(request.user))
    if request.GET.get("format") == "xlsx":
        return exports.respond(request, "dossiers")
    # The rows show the dossier's own copies of its organisation's name and district, and what next_deadline reads.
    page = paginate_keys_first(request, dossier_filter.qs, related=["district"], only=WORKSPACE_ROW_COLUMNS)
    context = {"filter": dossier_filter, "page": page}
    if request.user.role == Role.APPLICANT and request.user.organisation_id:
        context["pool_requests"] = scoping.pool_requests_for(request.user).filter(status="pending")
    if request.user.role == Role.AGENCY and request.user.agency_id:
        context["quota"] = scoping.agency_quota(request.user.agency)
    return render(request, "applications/home.html", context)


def timeline(dossier):
    """The 办理记录: the dossier's transition log and its report uploads (第十四条, ``ReportVersion``), by time.

    A log entry keeps its fields; an upload is marked ``is_report`` with ``at`` = its upload time and
    ``replaced`` when a later upload superseded it. Two queries whatever the length.
    """
    entries = list(dossier.transitions.select_related("actor"))
    versions = list(dossier.report_versions.select_related("uploaded_by", "agency"))
    for number, version in enumerate(versions, start=1):
        version.is_report, version.at, version.number = True, version.uploaded_at, number
        version.replaced = number < len(versions)
    return sorted(entries + versions, key=lambda entry: entry.at)


@login_required
def dossier_detail(request, pk):
    dossier = scoping.get_dossier(request.user, pk)
    actions = [
        {
            "name": name,
            "label": TRANSITION_LABELS[name],
            "reason_required": name in REASON_REQUIRED,
            "refusals": dossier.refusals(name),
        }
        for name in scoping.allowed_transitions(request.user, dossier)
    ]
    deadline = dossier.next_deadline()
    context = {
        "dossier": dossier,
        "actions": actions,
        "timeline": timeline(dossier),
        "form": TransitionForm(),
        "next_step": guidance.next_step(dossier, request.user),
        "deadline": deadline,
        "days_left": guidance.days_left(deadline[1]) if deadline else None,
        "evaluation": getattr(dossier, "self_evaluation", None),
        "snapshot": dossier.evaluation_snapshots.select_related("template").first(),
        "may_edit_evaluation": scoping.may_edit_evaluation(request.user, dossier),
        "may_upload_report": scoping.may_upload_report(request.user, dossier),
        "may_replace_report": scoping.may_replace_barred_report(request.user, dossier),
        "is_district": request.user.role == Role.DISTRICT,
        "is_city": scoping.is_city(request.user),
        # Letters the city sends about this dossier (第十六条, 第二十一条): city staff issue them beside the
        # check or decision; the district and the applicant read what was issued.
        "letters": scoping.issued_documents_for(request.user).filter(dossier=dossier),
    }
    if context["is_city"]:
        context["conformity_checks"] = dossier.conformity_checks.select_related("checked_by")
        context["decided_rechecks"] = dossier.rechecks.filter(decided_at__isnull=False).select_related("decided_by")
    return render(request, "applications/dossier_detail.html", context)


@login_required
@require_POST
def dossier_transition(request, pk, name):
    dossier = scoping.get_dossier(request.user, pk)
    if name not in TRANSITION_NAMES:
        raise Http404
    allowed, _why = scoping.may_transition(request.user, dossier, name)
    if not allowed:
        raise Http404
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return redirect("dossier_detail", pk=pk)
    try:
        services.transition(dossier, name, by=request.user, reason=form.cleaned_data["reason"], via=Path.ENDPOINT)
    except services.TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, TRANSITION_LABELS[name])
    return redirect("dossier_detail", pk=pk)


@login_required
def dossier_file(request, pk, which):
    """The report or evidence PDF, to users in scope only (there is no public media URL)."""
    dossier = scoping.get_dossier(request.user, pk)
    if which == "report":
        field = dossier.report
    elif which == "evidence":
        field = getattr(getattr(dossier, "self_evaluation", None), "evidence_file", None)
    else:
        raise Http404
    return private_pdf(field, f"{dossier.organisation.name}-{dossier.cycle_year}-{which}.pdf")
