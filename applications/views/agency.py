"""The agency's workspace: its clients' dossiers awaiting its report, report uploads and its yearly quota
(第十四条, 第二十四条)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Role
from applications import guidance, services
from applications.forms import ReportUploadForm
from applications.models.guards import recommendation_deadline
from greenfactory.paging import paginate

# How many awaited dossiers the home panel lists before linking to the whole list.
PANEL_ROWS = 10


def awaiting_report(user):
    """Dossiers that commissioned ``user``'s agency and wait for its report, the nearest deadline first."""
    if user.role != Role.AGENCY or not user.agency_id:
        return scoping.dossiers_for(user).none()
    return scoping.dossiers_for(user).filter(guidance.REPORT_AWAITED).order_by("cycle_year", "organisation_name", "pk")


def with_deadlines(dossiers):
    """Each dossier with ``report_deadline`` (30 May of its cycle, 第十五条) and ``days_left``."""
    rows = list(dossiers)
    for dossier in rows:
        dossier.report_deadline = recommendation_deadline(dossier.cycle_year).date()
        dossier.days_left = guidance.days_left(dossier.report_deadline)
    return rows


def panel(user):
    """The home panel's context: the first ``PANEL_ROWS`` awaited dossiers and how many there are."""
    awaited = awaiting_report(user)
    rows = with_deadlines(awaited[: PANEL_ROWS + 1])
    count = len(rows) if len(rows) <= PANEL_ROWS else awaited.count()
    return {"awaiting": rows[:PANEL_ROWS], "awaiting_count": count}


@login_required
def awaiting(request):
    """Every dossier waiting for the agency's report, paged, with its deadline and a direct upload link."""
    if request.user.role != Role.AGENCY or not request.user.agency_id:
        raise Http404
    page = paginate(request, awaiting_report(request.user))
    page.object_list = with_deadlines(page.object_list)
    quota = scoping.agency_quota(request.user.agency)
    return render(request, "applications/agency_awaiting.html", {"page": page, "quota": quota})


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
            messages.success(
                request,
                _("The evaluation report was uploaded and recorded in the timeline; the unit submits it next."),
            )
            return redirect("dossier_detail", pk=pk)
    quota = scoping.agency_quota(request.user.agency)
    context = {
        "dossier": dossier,
        "form": form,
        "quota": quota,
        "report_deadline": recommendation_deadline(dossier.cycle_year).date(),
    }
    return render(request, "applications/upload_report.html", context)
