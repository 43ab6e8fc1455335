"""The district bureau verifies the real-name reports about its units (第二十五条)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Role
from applications.services import TransitionRefused
from audit.services import record_identity_view
from greenfactory.paging import paginate_keys_first
from registry import reports
from registry.models import Report


def district_only(request):
    if request.user.role != Role.DISTRICT:
        raise Http404


@login_required
def district_reports(request):
    """第二十五条: reports about units of the officer's district, to verify."""
    district_only(request)
    reports = scoping.district_reports_for(request.user).order_by("-received_at", "-pk")
    context = {"reports": paginate_keys_first(request, reports), "detail": "district_report"}
    return render(request, "registry/reports.html", context)


@login_required
def district_report(request, pk):
    """The district verifies and proposes; it sees the reporter only if the city shared the identity."""
    district_only(request)
    report = get_object_or_404(scoping.district_reports_for(request.user), pk=pk)
    if request.method == "POST":
        try:
            reports.propose_report_outcome(
                report,
                findings=request.POST.get("findings", ""),
                proposal=request.POST.get("proposal", ""),
                by=request.user,
            )
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("district_report", pk=pk)
    reporter_visible = scoping.reporter_visible(request.user, report)
    if reporter_visible:
        record_identity_view(request, [report])  # 个人信息保护法: every view of a reporter's identity
    context = {
        "report": report,
        "reporter_visible": reporter_visible,
        "proposals": Report.Proposal.choices,
    }
    return render(request, "registry/district_report.html", context)


@login_required
def district_report_evidence(request, pk):
    """The evidence, to the district verifying the report (its file name never names the reporter)."""
    from applications.uploads import private_pdf

    report = get_object_or_404(scoping.district_reports_for(request.user), pk=pk)
    return private_pdf(report.evidence, f"report-{report.pk}.pdf")
