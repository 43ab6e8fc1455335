"""Pages district officers and the city share: rechecks (第二十一条), the dashboard, the district's
recommendation letter (第十五条)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Role
from applications.models import Kind, Level, RemovalGround, State
from applications.services import TransitionRefused
from applications.spreadsheets import XLSX_MIME, xlsx_filename
from greenfactory.paging import paginate_keys_first
from registry import charts as dashboard_charts
from registry.models import DocumentType, Recheck
from registry.rechecks import decide_recheck, propose_recheck, recheck_of
from reviews.models import RecommendationBatch

# The rechecks page holds three lists (open, due, decided): 25 rows of each unless more are asked for (issue 13:
# three lists of 50 rows with a form or a letter per row made it the heaviest page of the workspace).
LIST_PAGE_SIZE = 25


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
        default=LIST_PAGE_SIZE,
        related=["district"],
        only=("organisation_name", "district__name", "kind", "state", "next_recheck_due"),
    )
    year_end = timezone.localdate().replace(month=12, day=31)
    # The due list shows a name and a date: only those columns (full dossier rows were most of the page's work;
    # the state too, which the transition mixin reads when a row is made).
    due = (
        scoping.dossiers_for(user)
        .filter(state=State.LISTED, next_recheck_due__lte=year_end)
        .select_related(None)
        .only("pk", "state", "next_recheck_due", "organisation_name")
        .order_by("next_recheck_due", "pk")
    )
    # The open recheck records of the dossiers on this page only (already in the user's scope): one query by
    # their keys, whatever the number open.
    on_page = [d.pk for d in open_ones]
    pending = Recheck.objects.filter(decided_at__isnull=True, dossier_id__in=on_page)
    records = {r.dossier_id: r for r in pending}
    decided = scoping.rechecks_for(user).filter(decided_at__isnull=False).order_by("-decided_at", "-pk")
    # The rows show the dossier's own copies of its organisation's name and district: no organisation join.
    decided_page = paginate_keys_first(
        request,
        decided,
        param="decided",
        default=LIST_PAGE_SIZE,
        related=["dossier__district"],
        only=(
            "decision",
            "decided_at",
            "rectify_by",
            "dossier__organisation_name",
            "dossier__state",
            "dossier__district__name",
        ),
    )
    context = {
        "rows": open_ones,
        "open_rows": [(d, records.get(d.pk)) for d in open_ones],
        "due": paginate_keys_first(request, due, param="due", default=LIST_PAGE_SIZE),
        # Decided rechecks, newest first, with the city's letter to the district (第二十一条).
        "decided": decided_page,
        "letters": PreloadedDocuments(user, DocumentType.RECHECK_LETTER, decided_page),
        "is_city": scoping.is_city(user),
        # translated once, not once per row and option (every open recheck on the page has these choices)
        "proposals": [(value, str(label)) for value, label in Recheck.Proposal.choices],
        # The same options on every row of the page: built once.
        "ground_options": format_html_join("", '<option value="{}">{}</option>', RemovalGround.choices),
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
    """Charts of the pipeline, the lists and the follow-up, each beside its table and in the Excel export (issue 15);
    the city sees every district, a district officer its own (``registry.charts.figures``, a few grouped counts)."""
    user = request.user
    if user.role != Role.DISTRICT and not scoping.is_city(user):
        raise Http404
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is not None and not 2000 <= year <= 2100:
        year = None
    figures = dashboard_charts.figures(user, year)
    districts = figures.districts
    columns = [(k, lv) for k in Kind.values for lv in Level.values]
    table = [(d, [figures.listed.get((d.pk, k, lv), 0) for k, lv in columns]) for d in districts]
    totals = [sum(row[1][i] for row in table) for i in range(len(columns))]
    labels = [f"{Kind(k).label}·{Level(lv).label}" for k, lv in columns]
    charts = dashboard_charts.charts(figures)
    follow = [sum(row[j] for row in figures.follow_up.values()) for j in range(3)]
    if request.GET.get("format") == "xlsx":
        sheets = [
            (c.title, c.headers, c.rows + ([c.total_row] if c.total_row else []))
            for c in charts
            if request.GET.get("chart") in (None, "", c.key)
        ]
        if not request.GET.get("chart"):
            detail = [[d.name, *values] for d, values in table] + [[_("Total"), *totals]]
            sheets.append((_("Units on a list by district"), [_("District"), *labels], detail))
        if not sheets:
            raise Http404
        response = HttpResponse(dashboard_charts.workbook(sheets), content_type=XLSX_MIME)
        response["Content-Disposition"] = f'attachment; filename="{xlsx_filename("dashboard")}"'
        return response
    context = {
        "charts": charts,
        "table": table,
        "labels": labels,
        "totals": totals,
        "overdue": follow[0],
        "rechecks_due": follow[1],
        "rechecks_open": follow[2],
        "open_reports": figures.open_reports,
        "year": figures.year,
        "years": figures.years,
        "counted_at": figures.counted_at,
        "is_city": scoping.is_city(user),
    }
    return render(request, "registry/dashboard.html", context)
