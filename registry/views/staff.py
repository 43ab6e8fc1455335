"""Pages district officers and the city share: rechecks (第二十一条), the dashboard, the district's
recommendation letter (第十五条)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Role
from applications.models import AnnualReport, District, Kind, Level, RemovalGround, State
from applications.services import TransitionRefused
from applications.spreadsheets import xlsx_response
from greenfactory.paging import paginate_keys_first
from registry.models import DocumentType, Recheck, Report
from registry.rechecks import decide_recheck, propose_recheck, recheck_of
from reviews.models import RecommendationBatch


@login_required
def recommendation_letter_pdf(request, pk):
    """The district's letter: its own officers and the city only; once issued, the stored bytes."""
    from registry.views.documents import stored_or_draft

    batch = get_object_or_404(RecommendationBatch, pk=pk)
    if not (scoping.is_city(request.user) or request.user.district_id == batch.district_id):
        raise Http404
    return stored_or_draft(DocumentType.RECOMMENDATION_LETTER, batch, f"recommendation-{batch.pk}.pdf")


@login_required
def rechecks(request):
    """第二十一条: the district records findings and proposes; the city decides."""
    user = request.user
    if user.role != Role.DISTRICT and not scoping.is_city(user):
        raise Http404
    if request.method == "POST":
        dossier = scoping.get_dossier(user, request.POST.get("dossier") or 0)
        recheck = recheck_of(dossier)
        try:
            if user.role == Role.DISTRICT:
                propose_recheck(
                    recheck,
                    findings=request.POST.get("findings", ""),
                    proposal=request.POST.get("proposal", ""),
                    evidence=request.FILES.get("evidence"),
                    by=user,
                )
            else:
                decide_recheck(
                    recheck,
                    decision=request.POST.get("decision", ""),
                    note=request.POST.get("note", ""),
                    by=user,
                    rectify_by=parse_date(request.POST.get("rectify_by", "")),
                    ground=request.POST.get("ground", ""),  # no default ground: the guard asks for one
                )
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("rechecks")
    open_ones = paginate_keys_first(
        request,
        scoping.dossiers_for(user).filter(state=State.RECHECKING).order_by("next_recheck_due", "pk"),
        param="open",
    )
    year_end = timezone.localdate().replace(month=12, day=31)
    due = (
        scoping.dossiers_for(user)
        .filter(state=State.LISTED, next_recheck_due__lte=year_end)
        .order_by("next_recheck_due", "pk")
    )
    # The open recheck records of the dossiers on this page only (already in the user's scope): one query by
    # their keys, whatever the number open.
    on_page = [d.pk for d in open_ones]
    pending = Recheck.objects.filter(decided_at__isnull=True, dossier_id__in=on_page)
    records = {r.dossier_id: r for r in pending}
    decided = (
        scoping.rechecks_for(user)
        .filter(decided_at__isnull=False)
        .select_related("dossier__organisation__district")
        .order_by("-decided_at", "-pk")
    )
    decided_page = paginate_keys_first(request, decided, param="decided")
    context = {
        "rows": open_ones,
        "open_rows": [(d, records.get(d.pk)) for d in open_ones],
        "due": paginate_keys_first(request, due, param="due"),
        # Decided rechecks, newest first, with the city's letter to the district (第二十一条).
        "decided": decided_page,
        "letters": PreloadedDocuments(user, DocumentType.RECHECK_LETTER, decided_page),
        "is_city": scoping.is_city(user),
        "proposals": Recheck.Proposal.choices,
        "grounds": RemovalGround.choices,
    }
    return render(request, "registry/rechecks.html", context)


class PreloadedDocuments:
    """The documents in force for the subjects of one list page, and whether ``user`` may issue them: two
    queries for the page instead of three per row (``{% document_actions kind subject letters %}``)."""

    def __init__(self, user, document_type, subjects):
        from registry import documents
        from registry.models import IssuedDocument

        subjects = list(subjects)
        self.issued, self.may_issue = {}, False
        if not subjects:
            return
        subject_type, _pk = documents.subject_key(subjects[0])
        in_force = (
            IssuedDocument.objects.filter(
                document_type=document_type, subject_type=subject_type, subject_id__in=[s.pk for s in subjects]
            )
            .defer("pdf", "corrects__pdf")
            .select_related("organ", "corrects")
            .order_by("issued_at", "pk")
        )
        self.issued = {d.subject_id: d for d in in_force}  # the newest wins, as documents.current chooses
        self.may_issue = scoping.may_issue(user, documents.KINDS[document_type].organ(subjects[0]))


@login_required
def dashboard(request):
    """Counts by district × kind × level, overdue forms, rechecks due, open reports (city: all; district: its own)."""
    user = request.user
    if user.role != Role.DISTRICT and not scoping.is_city(user):
        raise Http404
    from registry.listing import listed_dossiers

    listed = listed_dossiers(
        dossiers=scoping.dossiers_for(user), district_id=None if scoping.is_city(user) else user.district_id
    )
    # One grouped count (district × kind × level) instead of a row per listed unit.
    grouped = (
        listed.order_by()
        .values_list("organisation__district_id", "kind", "level")
        .annotate(n=Count("pk"))
        .values_list("organisation__district_id", "kind", "level", "n")
    )
    counts = {(district_id, kind, level): n for district_id, kind, level, n in grouped}
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
