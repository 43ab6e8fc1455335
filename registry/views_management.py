"""After listing: rechecks, removals, real-name reports, the national list, dashboards."""

from collections import Counter

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import scoping
from accounts.models import Role
from applications.models import Agency, AnnualReport, District, Kind, Level, Organisation, RemovalGround, State
from applications.spreadsheets import xlsx_response
from registry import management
from registry.models import NationalImport, NationalListing, Recheck, Removal, Report
from registry.services import remove_from_list
from registry.views import pdf_response
from reviews.views_municipal import city_only

Refused = management.Refused


@login_required
def rechecks(request):
    """第二十一条: the district records findings and proposes; the city decides."""
    user = request.user
    if user.role != Role.DISTRICT and not scoping.is_city(user):
        raise Http404
    if request.method == "POST":
        dossier = scoping.get_dossier(user, request.POST.get("dossier") or 0)
        recheck = management.recheck_of(dossier)
        try:
            if user.role == Role.DISTRICT:
                management.propose_recheck(
                    recheck,
                    findings=request.POST.get("findings", ""),
                    proposal=request.POST.get("proposal", ""),
                    evidence=request.FILES.get("evidence"),
                    by=user,
                )
            else:
                management.decide_recheck(
                    recheck,
                    decision=request.POST.get("decision", ""),
                    note=request.POST.get("note", ""),
                    by=user,
                    rectify_by=parse_date(request.POST.get("rectify_by", "")),
                    ground=request.POST.get("ground", ""),  # no default ground: the guard asks for one
                )
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("rechecks")
    open_ones = scoping.dossiers_for(user).filter(state=State.RECHECKING)
    year_end = timezone.localdate().replace(month=12, day=31)
    due = (
        scoping.dossiers_for(user)
        .filter(state=State.LISTED, next_recheck_due__lte=year_end)
        .order_by("next_recheck_due")
    )
    records = {r.dossier_id: r for r in scoping.rechecks_for(user).filter(decided_at__isnull=True)}
    rows = [(d, records.get(d.pk)) for d in open_ones]
    context = {
        "rows": rows,
        "due": due,
        "is_city": scoping.is_city(user),
        "proposals": Recheck.Proposal.choices,
        "grounds": RemovalGround.choices,
    }
    return render(request, "registry/rechecks.html", context)


class RemovalForm(forms.Form):
    # No ground is preselected: the city names the one the facts establish (第二十一条, 第二十二条, 第二十五条).
    ground = forms.ChoiceField(
        label=gettext_lazy("Ground"),
        choices=[("", gettext_lazy("Choose a ground")), *RemovalGround.choices],
        error_messages={"required": gettext_lazy("Choose the ground of the removal (Art. 21, 22 or 25).")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Facts and reasons (published in the notice)"), widget=forms.Textarea(attrs={"rows": 3})
    )


@login_required
def remove(request, pk):
    city_only(request)
    dossier = scoping.get_dossier(request.user, pk)
    form = RemovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            remove_from_list(
                dossier, ground=form.cleaned_data["ground"], reason=form.cleaned_data["reason"], by=request.user
            )
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("%(organisation)s was removed from the list; the notice is public.")
                % {"organisation": dossier.organisation},
            )
            return redirect("dossier_detail", pk=pk)
    return render(request, "registry/remove.html", {"dossier": dossier, "form": form})


def public_removals(request):
    """移出名单公告: each removal with its ground and the facts and reasons recorded (第二十二条: public notice)."""
    removals = Removal.objects.select_related("dossier__organisation__district")[:100]
    return render(request, "public/removals.html", {"removals": removals})


def removal_pdf(request, pk):
    from registry import notices

    removal = get_object_or_404(Removal, pk=pk)
    return pdf_response(
        notices.removal_notice([removal.dossier], decided_on=removal.decided_on), f"removal-{removal.pk}.pdf"
    )


ANONYMOUS_REPORT = gettext_lazy(
    "Anonymous reports are not accepted (Art. 25): give your real name and contact details."
)


class ReportForm(forms.Form):
    target = forms.CharField(label=gettext_lazy("Unit or agency reported (full name)"), max_length=200)
    name = forms.CharField(
        label=gettext_lazy("Your real name"), max_length=100, error_messages={"required": ANONYMOUS_REPORT}
    )
    contact = forms.CharField(
        label=gettext_lazy("Your telephone or address"), max_length=100, error_messages={"required": ANONYMOUS_REPORT}
    )
    content = forms.CharField(
        label=gettext_lazy("What you report, with facts"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    evidence = forms.FileField(
        label=gettext_lazy("Evidence (PDF)"),
        error_messages={
            "required": gettext_lazy(
                "Please attach the evidence (Art. 25): a real-name report is accepted with supporting material."
            )
        },
    )

    def clean_target(self):
        name = self.cleaned_data["target"].strip()
        self.organisation = Organisation.objects.filter(name=name).first()
        self.agency = None if self.organisation else Agency.objects.filter(name=name).first()
        if not (self.organisation or self.agency):
            raise forms.ValidationError(_("No listed unit or evaluation agency has this exact name."))
        return name

    def clean_evidence(self):
        from applications.uploads import validate_pdf

        evidence = self.cleaned_data.get("evidence")
        if evidence:
            validate_pdf(evidence)
        return evidence


def report_form(request):
    """第二十五条: anyone may report, under a real name with contact details and evidence."""
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            management.file_report(
                organisation=form.organisation,
                agency=form.agency,
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
                content=form.cleaned_data["content"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Your report was received. Your identity is kept confidential."))
            return redirect("public_report")
    return render(request, "public/report.html", {"form": form})


@login_required
def city_reports(request):
    city_only(request)
    context = {"reports": scoping.reports_for(request.user)[:200], "detail": "city_report"}
    return render(request, "registry/reports.html", context)


@login_required
def city_report(request, pk):
    city_only(request)
    report = get_object_or_404(scoping.reports_for(request.user), pk=pk)
    if request.method == "POST":
        try:
            if "assign" in request.POST:
                staff = get_object_or_404(scoping.city_staff(), pk=request.POST.get("to") or 0)
                management.assign_report(report, to=staff, by=request.user)
            elif "share" in request.POST:
                management.share_report_identity(
                    report, share=request.POST.get("identity_shared") == "1", by=request.user
                )
            elif "verify" in request.POST:
                report.verification = request.POST.get("verification", "")
                report._history_user = request.user
                report.save()
            else:
                management.decide_report(
                    report,
                    decision=request.POST.get("decision", ""),
                    note=request.POST.get("note", ""),
                    by=request.user,
                    rectify_by=parse_date(request.POST.get("rectify_by", "")),
                )
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("city_report", pk=pk)
    context = {"report": report, "staff": scoping.city_staff(), "decisions": Report.Decision.choices}
    return render(request, "registry/report.html", context)


def district_only(request):
    if request.user.role != Role.DISTRICT:
        raise Http404


@login_required
def district_reports(request):
    """第二十五条: reports about units of the officer's district, to verify."""
    district_only(request)
    context = {"reports": scoping.district_reports_for(request.user)[:200], "detail": "district_report"}
    return render(request, "registry/reports.html", context)


@login_required
def district_report(request, pk):
    """The district verifies and proposes; it sees the reporter only if the city shared the identity."""
    district_only(request)
    report = get_object_or_404(scoping.district_reports_for(request.user), pk=pk)
    if request.method == "POST":
        try:
            management.propose_report_outcome(
                report,
                findings=request.POST.get("findings", ""),
                proposal=request.POST.get("proposal", ""),
                by=request.user,
            )
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("district_report", pk=pk)
    context = {
        "report": report,
        "reporter_visible": scoping.reporter_visible(request.user, report),
        "proposals": Report.Proposal.choices,
    }
    return render(request, "registry/district_report.html", context)


class NationalImportForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year of the national list"), min_value=2017, max_value=2100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Kind.choices)
    sheet = forms.FileField(label=gettext_lazy("MIIT's list (.xlsx: 序号, 地区, 名称, optional 统一社会信用代码)"))


@login_required
def national(request):
    """第十八条: import MIIT's national list, match rows, close the round, record 企业绿码 grades."""
    city_only(request)
    form = NationalImportForm(request.POST or None, request.FILES or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        try:
            if "import" in request.POST and form.is_valid():
                _imported, added, unmatched = management.import_national_list(
                    form.cleaned_data["sheet"],
                    year=form.cleaned_data["year"],
                    kind=form.cleaned_data["kind"],
                    by=request.user,
                )
                messages.success(
                    request,
                    _("%(added)d new national listings; %(unmatched)d rows to match by hand.")
                    % {"added": added, "unmatched": len(unmatched)},
                )
            elif "match" in request.POST:
                row = get_object_or_404(management.UnmatchedNationalRow, pk=request.POST.get("row") or 0)
                organisation = get_object_or_404(
                    Organisation, credit_code=request.POST.get("credit_code", "").replace(" ", "").upper()
                )
                management.match_row(row, organisation=organisation, by=request.user)
                messages.success(request, _("Matched."))
            elif "close" in request.POST:
                closed = management.close_national_round(
                    year=int(request.POST["year"]), kind=request.POST["kind"], by=request.user
                )
                messages.success(
                    request, _("National round closed: %(n)d nominated units not included.") % {"n": len(closed)}
                )
            elif "grade" in request.POST:
                listing = get_object_or_404(NationalListing, pk=request.POST.get("listing") or 0)
                listing.green_code_grade = request.POST.get("grade_value", "")
                listing.green_code_year = int(request.POST.get("grade_year") or timezone.localdate().year)
                listing._history_user = request.user
                listing.full_clean()
                listing.save()
                messages.success(request, _("Saved."))
            else:
                return render(request, "registry/national.html", national_context(form))
        except (Refused, forms.ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or "；".join(error.messages))
        return redirect("national")
    return render(request, "registry/national.html", national_context(form))


def national_context(form):
    return {
        "form": form,
        "imports": NationalImport.objects.prefetch_related("unmatched")[:10],
        "listings": NationalListing.objects.select_related("organisation__district")[:300],
        "grades": NationalListing.Grade.choices,
        "kinds": Kind.choices,
    }


@login_required
def dashboard(request):
    """Counts by district × kind × level, overdue forms, rechecks due, open reports (city: all; district: its own)."""
    user = request.user
    if user.role != Role.DISTRICT and not scoping.is_city(user):
        raise Http404
    from registry.listing import listed_rows

    rows = listed_rows(
        dossiers=scoping.dossiers_for(user), district_id=None if scoping.is_city(user) else user.district_id
    )
    counts = Counter((r["district_id"], r["kind"], r["level"]) for r in rows)
    districts = District.objects.all() if scoping.is_city(user) else District.objects.filter(pk=user.district_id)
    columns = [(k, lv) for k in Kind.values for lv in Level.values]
    table = [(d, [counts.get((d.pk, k, lv), 0) for k, lv in columns]) for d in districts]
    totals = [sum(row[1][i] for row in table) for i in range(len(columns))]
    year = timezone.localdate().year
    overdue = scoping.annual_reports_for(user).filter(overdue_at__isnull=False, status=AnnualReport.Status.DUE).count()
    rechecks_due = (
        scoping.dossiers_for(user)
        .filter(state=State.LISTED, next_recheck_due__lte=timezone.localdate().replace(month=12, day=31))
        .count()
    )
    rechecks_open = scoping.dossiers_for(user).filter(state=State.RECHECKING).count()
    reports = scoping.reports_for(user) if scoping.is_city(user) else scoping.district_reports_for(user)
    open_reports = reports.exclude(status=Report.Status.DECIDED).count()
    labels = [f"{Kind(k).label}·{Level(lv).label}" for k, lv in columns]
    if request.GET.get("format") == "xlsx":
        rows = [[d.name, *values] for d, values in table] + [[_("Total"), *totals]]
        return xlsx_response("dashboard", [_("District"), *labels], rows, title=_("Dashboard"))
    context = {
        "table": table,
        "labels": labels,
        "totals": totals,
        "overdue": overdue,
        "rechecks_due": rechecks_due,
        "rechecks_open": rechecks_open,
        "open_reports": open_reports,
        "year": year,
        "is_city": scoping.is_city(user),
    }
    return render(request, "registry/dashboard.html", context)


@login_required
def report_evidence(request, pk):
    """A reporter's evidence, to the handling city staff only."""
    from applications.uploads import private_pdf

    report = get_object_or_404(scoping.reports_for(request.user), pk=pk)
    return private_pdf(report.evidence, f"report-{report.pk}.pdf")


@login_required
def district_report_evidence(request, pk):
    """The evidence, to the district verifying the report (its file name never names the reporter)."""
    from applications.uploads import private_pdf

    report = get_object_or_404(scoping.district_reports_for(request.user), pk=pk)
    return private_pdf(report.evidence, f"report-{report.pk}.pdf")
