"""Annual dynamic-management forms (第十九条, 第二十条) and the organisation's record."""

import itertools
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import scoping
from accounts.models import Role
from applications import annual
from applications.forms import YES_NO, ExclusionRecordForm
from applications.models import AnnualChange, AnnualReport, ExclusionCondition, State
from applications.services import TransitionRefused
from exports import kinds as export_kinds
from exports import services as exports
from exports.kinds import annual_year
from greenfactory.paging import paginate, paginate_keys_first


class AnnualForm(forms.Form):
    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"i_{indicator.code}"] = forms.DecimalField(
                label=f"{indicator.name}（{indicator.unit}）",
                required=indicator.required,
                max_digits=16,
                decimal_places=4,
            )
        for condition in ExclusionCondition:
            self.fields[f"c_{condition.value}"] = forms.ChoiceField(
                label=condition.label, choices=YES_NO, widget=forms.RadioSelect
            )
            self.fields[f"c_{condition.value}_evidence"] = forms.CharField(
                label=gettext_lazy("Evidence"), required=False, max_length=1000
            )
        for field, label in AnnualChange.Field.choices:
            self.fields[f"change_{field}"] = forms.CharField(
                label=gettext_lazy("New %(what)s (if changed)") % {"what": label}, required=False, max_length=300
            )
            self.fields[f"change_{field}_why"] = forms.CharField(
                label=gettext_lazy("Explanation"), required=False, max_length=1000
            )

    def indicator_fields(self):
        return [self[f"i_{i.code}"] for i in self.indicators]

    def compliance_fields(self):
        return [(self[f"c_{c.value}"], self[f"c_{c.value}_evidence"]) for c in ExclusionCondition]

    def change_fields(self):
        return [(self[f"change_{f}"], self[f"change_{f}_why"]) for f in AnnualChange.Field.values]

    def results(self):
        data = self.cleaned_data
        values = {i.code: data.get(f"i_{i.code}") for i in self.indicators}
        compliance = {
            str(c.value): {"applies": data[f"c_{c.value}"] == "yes", "evidence": data.get(f"c_{c.value}_evidence", "")}
            for c in ExclusionCondition
        }
        changes = [
            (f, data[f"change_{f}"].strip(), data.get(f"change_{f}_why", ""))
            for f in AnnualChange.Field.values
            if data.get(f"change_{f}", "").strip()
        ]
        return values, compliance, changes


@login_required
def annual_form(request, pk):
    """The listed unit files its form for this year (opened on first visit, due 15 March)."""
    dossier = scoping.get_dossier(request.user, pk)
    if request.user.role != Role.APPLICANT or dossier.state not in (State.LISTED, State.RECHECKING):
        raise Http404
    year = annual.form_year(dossier, timezone.localdate())
    if year is None:
        messages.info(
            request,
            _("No annual form is due yet: the first one is filed between 1 and 15 March of %(year)d (Art. 19).")
            % {"year": dossier.listed_on.year + 1},
        )
        return redirect("dossier_detail", pk=pk)
    report = annual.open_report(dossier, year)
    if report.status not in (AnnualReport.Status.DUE, AnnualReport.Status.CORRECTION):
        return redirect("annual_detail", pk=report.pk)
    indicators = annual.indicators_for(year)
    initial = {f"i_{k}": Decimal(v) for k, v in report.values.items()}
    form = AnnualForm(request.POST or None, indicators=indicators, initial=initial)
    if request.method == "POST" and form.is_valid():
        values, compliance, changes = form.results()
        try:
            annual.submit_report(report, values=values, compliance=compliance, changes=changes, by=request.user)
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Your %(year)d annual form was submitted to the district.") % {"year": year})
            return redirect("annual_detail", pk=report.pk)
    return render(request, "applications/annual_form.html", {"dossier": dossier, "report": report, "form": form})


@login_required
def annual_detail(request, pk):
    report = get_object_or_404(scoping.annual_reports_for(request.user), pk=pk)
    is_district = request.user.role == Role.DISTRICT
    if request.method == "POST" and is_district:
        note = request.POST.get("note", "")
        try:
            if "accept" in request.POST or "correct" in request.POST:
                annual.check_report(report, accept="accept" in request.POST, note=note, by=request.user)
            elif "propose" in request.POST:
                change = get_object_or_404(report.changes, pk=request.POST.get("change") or 0)
                annual.propose_change(change, opinion=note, by=request.user)
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("annual_detail", pk=pk)
    context = {
        "report": report,
        "rows": annual.comparison_rows(report),
        "changes": report.changes.all(),
        "is_district": is_district,
    }
    return render(request, "applications/annual_detail.html", context)


@login_required
def annual_list(request):
    """The district's (or the city's) forms of a year, with the overdue ones (第二十一条第（二）项) and flags."""
    if request.user.role not in (Role.DISTRICT,) and not scoping.is_city(request.user):
        raise Http404
    if request.GET.get("format") == "xlsx":
        return exports.respond(request, "annual_forms")
    year = annual_year(request.GET)
    reports = export_kinds.KINDS["annual_forms"].rows(request.user, request.GET)
    # The form's own copy of the name and its dossier's copy of the district: no organisation join.
    page = paginate_keys_first(
        request,
        reports,
        related=("dossier__district",),
        # (the dossier's state too: the FSM mixin reads it as each instance is made)
        only=("organisation_name", "status", "overdue_at", "flags", "dossier__state", "dossier__district__name"),
    )
    context = {"reports": page, "year": year}
    return render(request, "applications/annual_list.html", context)


@login_required
def city_changes(request):
    """第二十条: the city decides the changes its districts proposed."""
    if not scoping.is_city(request.user):
        raise Http404
    if request.method == "POST":
        change = get_object_or_404(AnnualChange, pk=request.POST.get("change") or 0)
        try:
            annual.decide_change(
                change, approve="approve" in request.POST, note=request.POST.get("note", ""), by=request.user
            )
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The change was decided."))
        return redirect("city_changes")
    proposed = (
        AnnualChange.objects.filter(status=AnnualChange.Status.PROPOSED)
        .select_related("report__dossier__organisation__district")
        .order_by("pk")
    )
    decided = (
        AnnualChange.objects.exclude(status__in=[AnnualChange.Status.PROPOSED, AnnualChange.Status.DECLARED])
        .select_related("report__dossier__organisation")
        .order_by("-decided_at", "-pk")
    )
    context = {"proposed": paginate(request, proposed), "decided": paginate(request, decided, param="decided")}
    return render(request, "applications/city_changes.html", context)


@login_required
def organisation_detail(request, pk):
    """The organisation's record and the history of its name, address and other fields (simple-history)."""
    organisation = get_object_or_404(scoping.organisations_for(request.user), pk=pk)
    records = list(organisation.history.select_related("history_user").order_by("history_date"))
    changes = []
    for older, newer in itertools.pairwise(records):
        delta = newer.diff_against(
            older, included_fields=["name", "address", "ownership", "production_scope", "boundary", "district"]
        )
        for change in delta.changes:
            changes.append(
                {
                    "when": newer.history_date,
                    "field": organisation._meta.get_field(change.field).verbose_name,
                    "old": change.old,
                    "new": change.new,
                    "by": newer.history_user,
                    "why": newer.history_change_reason,
                }
            )
    context = {
        "organisation": organisation,
        "changes": changes,
        "dossiers": scoping.dossiers_for(request.user).filter(organisation=organisation),
        "exclusions": organisation.exclusion_declarations.filter(applies=True).select_related(
            "declared_by", "lifted_by"
        ),
        "today": timezone.localdate(),
        "may_record_exclusion": request.user.role == Role.DISTRICT or scoping.is_city(request.user),
        "may_lift_exclusion": scoping.is_city(request.user),
        "exclusion_form": ExclusionRecordForm(),
    }
    return render(request, "applications/organisation.html", context)
