"""The district's review queue and its recommendation batch to the city (第十五条)."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from applications import services as dossier_services
from applications.models import Dossier, Kind, State
from applications.models.guards import before_recommendation_deadline, open_cycle_year, recommendation_deadline
from applications.spreadsheets import Column, value_rows, xlsx_response
from applications.views.district import district_officer
from exports import services as exports
from greenfactory.paging import paginate, paginate_keys_first
from reviews import recommendation
from reviews.forms import BatchForm, QueueFilter

MIN_BATCH_PAGE = 200


@login_required
def queue(request):
    district_officer(request)
    data = request.GET.copy()
    data.setdefault("state", State.SUBMITTED)
    queue_filter = QueueFilter(data, queryset=scoping.dossiers_for(request.user))
    if request.GET.get("format") == "xlsx":
        return exports.respond(request, "district_queue")
    columns = ("organisation_name", "agency__name", "kind", "cycle_year", "state", "submitted_at", "district_ready_at")
    page = paginate_keys_first(request, queue_filter.qs, related=["agency"], only=columns)
    return render(request, "reviews/queue.html", {"filter": queue_filter, "page": page})


@login_required
@require_POST
def mark_ready(request, pk):
    district_officer(request)
    dossier = scoping.get_dossier(request.user, pk)
    try:
        recommendation.mark_ready(dossier, by=request.user)
    except dossier_services.TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Marked as checked; it is preselected in the recommendation batch."))
    return redirect("dossier_detail", pk=pk)


@login_required
def batch(request):
    district = district_officer(request)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else open_cycle_year(timezone.localdate())
    candidates = (
        scoping.dossiers_for(request.user)
        .filter(cycle_year=year, state=State.SUBMITTED)
        .order_by("kind", "organisation_name", "pk")
    )
    deadline = recommendation_deadline(year)
    probe = Dossier(cycle_year=year)
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = candidates.filter(pk__in=[int(p) for p in request.POST.getlist("dossiers") if p.isdigit()])
        try:
            sent = recommendation.recommend_batch(
                district=district, cycle_year=year, dossiers=chosen, by=request.user, note=form.cleaned_data["note"]
            )
        except dossier_services.TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("%(n)d dossiers were recommended to the city.") % {"n": sent.dossiers.count()})
            return redirect(f"{request.path}?year={year}")
    if request.GET.get("format") == "xlsx":
        sent = scoping.dossiers_for(request.user).filter(cycle_year=year, recommendation_batch__isnull=False)
        columns = [
            Column(_("Organisation"), "organisation__name"),
            Column(_("Unified social credit code"), "organisation__credit_code"),
            Column(_("Kind"), "kind", dict(Kind.choices)),
            Column(_("State"), "state", dict(State.choices)),
            Column(_("Recommended at"), "recommended_at", lambda at: timezone.localtime(at).strftime("%Y-%m-%d %H:%M")),
        ]
        headers, rows = [c.header for c in columns], value_rows(sent, columns)
        return xlsx_response(f"recommendation-{year}", headers, rows, title=_("Recommendation list"))
    # The form recommends the dossiers ticked on the page shown; a page holds at least 200 of them.
    page = paginate(request, candidates.order_by("kind", "organisation_name", "pk"), at_least=MIN_BATCH_PAGE)
    counts = Counter(d.kind for d in page if d.district_ready_at)
    batches = district.recommendation_batches.filter(cycle_year=year).prefetch_related("dossiers__organisation")
    unchecked = candidates.filter(district_ready_at__isnull=True).order_by("organisation_name", "pk")
    context = {
        "unchecked": paginate(request, unchecked, param="unchecked"),
        "year": year,
        "years": [year - 1, year, year + 1],
        "candidates": page,
        "deadline": deadline,
        "open": before_recommendation_deadline(probe),
        "closed_message": before_recommendation_deadline.refusal(probe),
        "counts": [(label, counts.get(kind, 0), kind) for kind, label in Kind.choices],
        "form": form,
        "batches": batches,
    }
    return render(request, "reviews/batch.html", context)
