"""The city bureau's workspace: conformity check, expert review, ranking, publicity and objections."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from applications import services as dossier_services
from applications.filters import DossierFilter
from applications.models import Dossier, Kind, State
from applications.models.guards import open_cycle_year
from applications.services import TransitionRefused
from applications.spreadsheets import CHUNK_ROWS, xlsx_response
from applications.views.application import application_sheet
from audit.services import record_identity_view
from greenfactory.paging import paginate, paginate_keys_first, shared_keys
from reviews import conformity, expert_review, objections, publicity
from reviews.forms_municipal import AssignForm, ConformityForm, DecisionForm, PublicityForm
from reviews.models import CONFORMITY_ITEMS, ExpertAssignment, PublicityBatch
from workdays.services import missing_years, provisional_end

Refused = TransitionRefused


def city_only(request):
    if not scoping.is_city(request.user):
        raise Http404


def year_and_kind(request):
    year = request.GET.get("year", "")
    kind = request.GET.get("kind", Kind.FACTORY)
    default_year = (
        open_cycle_year(timezone.localdate()) - 1 if timezone.localdate().month < 6 else timezone.localdate().year
    )
    return (int(year) if year.isdigit() else default_year), (kind if kind in Kind.values else Kind.FACTORY)


@login_required
def conformity_queue(request):
    city_only(request)
    data = request.GET.copy()
    data.setdefault("state", State.RECOMMENDED)
    queue = DossierFilter(data, queryset=scoping.dossiers_for(request.user))
    if request.GET.get("format") == "xlsx":
        from exports import services as exports

        return exports.respond(request, "conformity_queue")
    # The rows show the dossier's own copies of its organisation's name and district, and only those columns.
    rows = paginate_keys_first(
        request,
        queue.qs,
        related=["district"],
        only=("organisation_name", "district__name", "kind", "cycle_year", "state"),
    )
    context = {"filter": queue, "dossiers": rows}
    return render(request, "reviews/conformity_queue.html", context)


@login_required
def conformity_check(request, pk):
    city_only(request)
    dossier = scoping.get_dossier(request.user, pk)
    if dossier.state != State.RECOMMENDED:
        messages.info(request, _("This dossier is no longer waiting for the conformity check."))
        return redirect("dossier_detail", pk=pk)
    form = ConformityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = conformity.record_conformity(
                dossier, results=form.results(), reasons=form.cleaned_data["reasons"], by=request.user
            )
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("%(organisation)s: %(state)s")
                % {"organisation": done.organisation, "state": done.get_state_display()},
            )
            return redirect("conformity_queue")
    # 第十六条: beside each item, the answers and evidence it asks the checker to confirm.
    checklist = [(key, label, form[f"item_{key}"]) for key, label in CONFORMITY_ITEMS]
    context = {**application_sheet(dossier), "form": form, "checklist": checklist}
    return render(request, "reviews/conformity_check.html", context)


# What the review board shows of a dossier, and of one under review.
BOARD_FIELDS = ("pk", "organisation__name", "organisation__district__name")
PROGRESS_FIELDS = ("assigned", "finals", "drafts", "overdue")


def ordered_pks(dossiers, states):
    """{state: the pks of ``dossiers`` in that state by organisation name}, read in order from the index on state,
    year and name; the paginator counts a column (shared between requests, ``SharedCountPaginator``) and reads
    only its page of pks (reading every pk of a column took 6–7 ms on PostgreSQL at 100,000 dossiers)."""
    return {
        state: dossiers.filter(state=state).order_by("organisation_name", "pk").values_list("pk", flat=True)
        for state in states
    }


def rows_of(page, values):
    """The rows of ``page`` (a page of pks) read from ``values`` (a ``values()`` queryset), in the page's
    order, as objects: ``row.pk``, ``row.name``, ``row.district`` and the other fields by their names."""
    found = {}
    for value in values.filter(pk__in=list(page.object_list)).order_by():
        name, district = value.pop("organisation__name"), value.pop("organisation__district__name")
        found[value["pk"]] = SimpleNamespace(name=name, district=district, **value)
    return [found[pk] for pk in page.object_list if pk in found]


@login_required
def review_board(request):
    """Open reviews for dossiers in the library and assign experts, several at once."""
    city_only(request)
    year, kind = year_and_kind(request)
    scope = scoping.dossiers_for(request.user).filter(cycle_year=year, kind=kind)
    form = AssignForm(request.POST or None)
    if request.method == "POST":
        chosen = scope.filter(pk__in=[int(p) for p in request.POST.getlist("dossiers") if p.isdigit()])
        if "open" in request.POST and not chosen.filter(state=State.IN_LIBRARY).exists():
            messages.error(request, _("Select the dossiers to open for review."))
            return redirect(request.get_full_path())
        if "open" in request.POST:
            opened = 0
            for dossier in chosen.filter(state=State.IN_LIBRARY):
                try:
                    dossier_services.transition(dossier, "open_review", by=request.user)
                    opened += 1
                except Refused as refused:
                    messages.error(request, f"{dossier.organisation}：{refused.message}")
            messages.success(request, _("Review opened for %(n)d dossiers.") % {"n": opened})
            return redirect(request.get_full_path())
        if form.is_valid():
            made, refusals = expert_review.assign_experts(
                list(chosen), list(form.cleaned_data["experts"]), by=request.user
            )
            for message in refusals:
                messages.warning(request, message)
            messages.success(request, _("%(n)d assignments made.") % {"n": made})
            return redirect(request.get_full_path())
    # Each column pages on its own: the bulk actions act on the dossiers ticked on the pages shown. Issue 13:
    # each column's order is a page of pks (no GROUP BY over the whole column); only the page's dossiers are then
    # read, with the review progress counted for them alone.
    # The page's rows are plain values (pk, name, district, progress), not model instances.
    columns = ordered_pks(scope, (State.IN_LIBRARY, State.IN_REVIEW))
    library = paginate(request, columns[State.IN_LIBRARY], param="lp")
    library.object_list = rows_of(library, scope.values(*BOARD_FIELDS))
    in_review = paginate(request, columns[State.IN_REVIEW], param="rp")
    progress = expert_review.with_review_progress(scope, today=timezone.localdate())
    in_review.object_list = rows_of(in_review, progress.values(*BOARD_FIELDS, *PROGRESS_FIELDS))
    assignments = (
        ExpertAssignment.objects.filter(dossier__in=[row.pk for row in in_review.object_list])
        .select_related("expert", "review")
        .order_by("pk")
    )
    for row in in_review.object_list:
        row.assignments = []
    by_pk = {row.pk: row for row in in_review.object_list}
    for assignment in assignments:
        by_pk[assignment.dossier_id].assignments.append(assignment)
    context = {
        "year": year,
        "kind": kind,
        "kinds": Kind.choices,
        "library": library,
        "in_review": in_review,
        "form": form,
        "review_round": expert_review.round_for(year, kind),
    }
    return render(request, "reviews/review_board.html", context)


def ranking_export(year, kind, setup, ordered):
    """The ranking as .xlsx, streamed: the dossiers of ``ordered`` (the page's order, a list of pks) read in
    chunks, each chunk's reviews in one query, rows written to the write-only workbook as they come."""
    criteria = setup["criteria"]
    headers = (
        [_("Rank"), _("Organisation"), _("District"), _("Aggregate")] + [c.name for c in criteria] + [_("Reviews")]
    )
    # the dossier's own copies of its organisation's name and district: no organisation join
    fields = ("pk", "organisation_name", "district__name")
    chunks = (ordered[i : i + CHUNK_ROWS] for i in range(0, len(ordered), CHUNK_ROWS))

    def values(pks):
        found = {row[0]: row for row in Dossier.objects.filter(pk__in=pks).values_list(*fields)}
        return [found[pk] for pk in pks if pk in found]

    def lines():
        rank = 0
        for chunk in chunks:
            chunk = values(chunk)
            figures = expert_review.review_figures([row[0] for row in chunk], setup=setup)
            for pk, name, district in chunk:
                rank += 1
                figure = figures[pk]
                yield (
                    [rank, name, district, figure["aggregate"]]
                    + [figure["criteria"].get(c.pk) for c in criteria]
                    + [figure["count"]]
                )

    return xlsx_response(f"ranking-{year}-{kind}", headers, lines(), title=_("Ranking"))


@login_required
def ranking(request):
    city_only(request)
    year, kind = year_and_kind(request)
    setup = expert_review.ranking_setup(year, kind)
    order = request.GET.get("order", "")
    # Issue 13: the database orders the ranking; only the rows of the page shown are built.
    ordered = expert_review.ranked_pks(year, kind, setup=setup, order=order)
    if request.GET.get("format") == "xlsx":
        # the order the page shows (shared, see below), read by chunks of keys
        return ranking_export(year, kind, setup, shared_keys(ordered))
    review_round = setup["round"]
    top = review_round.select_count if review_round else 10
    # The page holds at least the top ``top`` rows, so the preselected picks are all in one form.
    # All the pks in one query (a list of ints): the database sorts them once and the page needs no COUNT; the
    # order is shared between requests until a save (a final score, a transition) commits.
    page = paginate(request, shared_keys(ordered), at_least=top)
    page.object_list = expert_review.ranking_rows(page.object_list, setup=setup, shown_only=True)
    for position, row in enumerate(page.object_list, start=page.start_index()):
        row["position"] = position
    today = timezone.localdate()
    # The years a publicity starting today reaches: staff are warned there if one is not loaded.
    reaches, _estimated = provisional_end(today, publicity.PUBLICITY_WORKING_DAYS)
    context = {
        "year": year,
        "kind": kind,
        "kinds": Kind.choices,
        "table": setup,
        "page": page,
        "top": top,
        "missing_schedule_years": missing_years(range(today.year, reaches.year + 1)),
        "form": PublicityForm(
            initial={
                "title": _("%(year)d Shenzhen municipal green factories (proposed)") % {"year": year},
                "starts_on": timezone.localdate(),
                "contact": review_round.objection_contact if review_round else "",
            }
        ),
    }
    return render(request, "reviews/ranking.html", context)


@login_required
@require_POST
def create_publicity(request):
    city_only(request)
    year, _kind = year_and_kind(request)
    form = PublicityForm(request.POST)
    setup = expert_review.ranking_setup(year, Kind.FACTORY)
    chosen = {int(p) for p in request.POST.getlist("dossiers") if p.isdigit()}
    review_round = setup["round"]
    top = review_round.select_count if review_round else 10
    # The positions come from the database's order (pks only); rows are built for the chosen dossiers alone.
    positions = {
        pk: position
        for position, pk in enumerate(expert_review.ranked_pks(year, Kind.FACTORY, setup=setup), start=1)
        if pk in chosen
    }
    picked = sorted(positions, key=positions.get)
    picks, missing_reason = [], []
    for row in expert_review.ranking_rows(picked, setup=setup):
        dossier = row["dossier"]
        note = request.POST.get(f"note_{dossier.pk}", "").strip()
        if positions[dossier.pk] > top and not note:
            missing_reason.append(dossier.organisation.name)
        picks.append((dossier, row["aggregate"], note))
    if not form.is_valid() or missing_reason:
        for name in missing_reason:
            messages.error(
                request,
                _("%(name)s is outside the top %(top)d: record the reason for picking it.")
                % {"name": name, "top": top},
            )
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect(f"/city/ranking/?year={year}&kind=factory")
    try:
        batch = publicity.create_publicity_batch(
            year=year,
            title=form.cleaned_data["title"],
            starts_on=form.cleaned_data["starts_on"],
            picks=picks,
            contact=form.cleaned_data["contact"],
            by=request.user,
        )
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(f"/city/ranking/?year={year}&kind=factory")
    messages.success(
        request, _("Publicity created: %(start)s to %(end)s.") % {"start": batch.starts_on, "end": batch.ends_on}
    )
    return redirect("publicity_batch", pk=batch.pk)


@login_required
@require_POST
def nominate_selected(request):
    """第十七条: parks and supply-chain enterprises selected in review are nominated to MIIT."""
    city_only(request)
    year, kind = year_and_kind(request)
    back = f"/city/ranking/?year={year}&kind={kind}"
    chosen = [int(p) for p in request.POST.getlist("dossiers") if p.isdigit()]
    dossiers = scoping.dossiers_for(request.user).filter(pk__in=chosen, cycle_year=year, kind=kind)
    picks = [(d, request.POST.get(f"note_{d.pk}", "").strip()) for d in dossiers]
    try:
        nominated = expert_review.nominate_selected(picks, by=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(back)
    messages.success(request, _("%(n)d units nominated to MIIT.") % {"n": len(nominated)})
    return redirect(back)


@login_required
def publicity_batches(request):
    city_only(request)
    batches = paginate(request, PublicityBatch.objects.order_by("-starts_on", "-pk"))
    return render(request, "reviews/publicity_batches.html", {"batches": batches})


@login_required
def publicity_batch(request, pk):
    city_only(request)
    batch = get_object_or_404(PublicityBatch, pk=pk)
    entries = paginate(request, batch.entries.select_related("dossier__organisation__district"))
    objections = list(scoping.objections_for(request.user).filter(dossier__publicity_entry__batch=batch))
    identity_visible = scoping.objector_visible(request.user)
    if identity_visible:
        record_identity_view(request, objections)  # 个人信息保护法: every view of an objector's identity
    published = getattr(batch, "published_list", None)
    context = {
        "batch": batch,
        "entries": entries,
        "objections": objections,
        "identity_visible": identity_visible,
        "decision_form": DecisionForm(),
        "published": published,
        # 第十七条: the units publication lists (still in publicity; the cleared ones are checked at publication).
        "listable_count": None if published else batch.entries.filter(dossier__state=State.IN_PUBLICITY).count(),
        "today": timezone.localdate(),
    }
    return render(request, "reviews/publicity_batch.html", context)


@login_required
@require_POST
def decide_objection(request, pk, decision):
    city_only(request)
    objection = get_object_or_404(scoping.objections_for(request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        objections.decide_objection(objection, uphold=decision == "uphold", note=note, by=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The objection was decided."))
    return redirect("publicity_batch", pk=objection.dossier.publicity_entry.batch_id)


@login_required
def objection_evidence(request, pk):
    """An objector's evidence, to the deciding city staff only."""
    from applications.uploads import private_pdf

    objection = get_object_or_404(scoping.objections_for(request.user), pk=pk)
    return private_pdf(objection.evidence, f"objection-{objection.pk}.pdf")
