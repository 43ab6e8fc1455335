"""The district officer's cultivation pool (第八条, 第十三条): add units, bulk import, requests, notes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from accounts.models import Role
from applications import imports, services
from applications.forms import BulkPoolForm, NotesForm, PoolAddForm, TransitionForm
from applications.models import Kind, Organisation, State
from applications.spreadsheets import Column, value_rows, xlsx_response
from greenfactory.paging import paginate


def district_officer(request):
    if request.user.role != Role.DISTRICT or not request.user.district_id:
        raise Http404
    return request.user.district


@login_required
def pool(request):
    district = district_officer(request)
    pooled = scoping.dossiers_for(request.user).filter(state__in=[State.POOLED, State.RETURNED, State.SUBMITTED])
    year = request.GET.get("year")
    if year and year.isdigit():
        pooled = pooled.filter(cycle_year=int(year))
    if request.GET.get("format") == "xlsx":
        columns = [
            Column(_("Organisation"), "organisation__name"),
            Column(_("Unified social credit code"), "organisation__credit_code"),
            Column(_("Kind"), "kind", dict(Kind.choices)),
            Column(_("Cycle year"), "cycle_year"),
            Column(_("State"), "state", dict(State.choices)),
            Column(_("Cultivation plan notes"), "cultivation_notes"),
        ]
        headers, rows = [c.header for c in columns], value_rows(pooled, columns)
        return xlsx_response("cultivation-pool", headers, rows, title=_("Cultivation pool"))
    add_form, bulk_form, results = PoolAddForm(prefix="add"), BulkPoolForm(prefix="bulk"), None
    job = summary = None
    if request.method == "POST" and "add-credit_code" in request.POST:
        add_form = PoolAddForm(request.POST, prefix="add")
        if add_form.is_valid() and add_one(request, district, add_form):
            return redirect("district_pool")
    elif request.method == "POST":
        bulk_form = BulkPoolForm(request.POST, request.FILES, prefix="bulk")
        if bulk_form.is_valid() and imports.is_large(bulk_form.rows):
            # a large sheet is imported in the background; its page shows progress and the per-row report
            job = imports.start_pool_import(
                request.user, bulk_form.rows, district=district, kind=bulk_form.cleaned_data["kind"],
                cycle_year=bulk_form.cleaned_data["cycle_year"], filename=bulk_form.cleaned_data["sheet"].name,
            )  # fmt: skip
            return redirect(job)
        if bulk_form.is_valid():
            kind, cycle_year = bulk_form.cleaned_data["kind"], bulk_form.cleaned_data["cycle_year"]
            results = services.bulk_pool(
                bulk_form.rows, district=district, kind=kind, cycle_year=cycle_year, by=request.user
            )
            # kept as a finished job: the summary on top, its report and its refused rows downloadable
            job = imports.record_pool_import(
                request.user, results, district=district, kind=kind, cycle_year=cycle_year,
                filename=bulk_form.cleaned_data["sheet"].name,
            )  # fmt: skip
            summary = imports.summary(job.report)
            added = sum(r.ok for r in results)
            messages.info(
                request, _("%(added)d of %(total)d rows added to the pool.") % {"added": added, "total": len(results)}
            )
    context = {
        "district": district,
        "pooled": paginate(request, pooled.order_by("-cycle_year", "organisation_name", "pk")),
        "requests": paginate(
            request, scoping.pool_requests_for(request.user).filter(status="pending").order_by("pk"), param="requests"
        ),
        "add_form": add_form,
        "bulk_form": bulk_form,
        "results": results,
        "job": job,
        "summary": summary,
        "reply_form": TransitionForm(),
    }
    return render(request, "applications/pool.html", context)


@login_required
def pool_template(request):
    """The bulk import's sheet: the header row and one example row (whose check digit is wrong, so a
    forgotten example is refused, never registered)."""
    district_officer(request)
    headers = [_("Unified social credit code"), _("Organisation name")]
    example = [["91440300MA5EXAMPL0", _("Example: Shenzhen Example Technology Co., Ltd. (delete this row)")]]
    return xlsx_response("pool-import-template", headers, example, title=_("Cultivation pool"))


def add_one(request, district, form):
    code, name = form.cleaned_data["credit_code"], form.cleaned_data["name"].strip()
    organisation = Organisation.objects.filter(credit_code=code).first()
    if organisation is not None and organisation.district_id != district.pk:
        form.add_error("credit_code", _("This unit belongs to %(district)s.") % {"district": organisation.district})
        return False
    if organisation is None and not name:
        form.add_error("name", _("This credit code is not registered yet: give the unit's name to register it."))
        return False
    try:
        with transaction.atomic():
            if organisation is None:
                organisation = Organisation.objects.create(credit_code=code, name=name, district=district)
            services.pool(organisation, form.cleaned_data["kind"], form.cleaned_data["cycle_year"], by=request.user)
    except services.TransitionRefused as refused:
        form.add_error(None, refused.message)
        return False
    messages.success(request, _("%(organisation)s was added to the pool.") % {"organisation": organisation})
    return True


@login_required
@require_POST
def decide_request(request, pk, decision):
    district_officer(request)
    pool_request = get_object_or_404(scoping.pool_requests_for(request.user), pk=pk)
    form = TransitionForm(request.POST)
    note = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.decide_pool_request(pool_request, accept=decision == "accept", by=request.user, note=note)
    except services.TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("The request of %(organisation)s was answered.") % {"organisation": pool_request.organisation}
        )
    return redirect("district_pool")


@login_required
@require_POST
def save_notes(request, pk):
    district_officer(request)
    dossier = scoping.get_dossier(request.user, pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        dossier.cultivation_notes = form.cleaned_data["cultivation_notes"]
        dossier._history_user = request.user
        dossier.save(update_fields=["cultivation_notes", "updated_at"])
        messages.success(request, _("Notes saved."))
    return redirect("dossier_detail", pk=pk)


@login_required
def search_organisations(request):
    """htmx: organisations of the officer's district matching a name or credit code, to add to the pool."""
    district_officer(request)
    query = request.GET.get("q", "").strip()
    found = []
    if len(query) >= 2:
        scope = scoping.organisations_for(request.user)
        found = (
            scope.filter(name__icontains=query) | scope.filter(credit_code__startswith=query.replace(" ", "").upper())
        )[:10]
    return render(request, "applications/_organisation_search.html", {"found": found, "query": query})
