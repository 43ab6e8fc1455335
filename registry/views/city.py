"""The city bureau's registry screens: publication and notices (第十七条), recommendations to MIIT,
removals (第二十一条, 第二十二条, 第二十五条), reports it decides, MIIT's national list (第十八条)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from applications import imports
from applications.models import ImportJob, Kind, Organisation, State
from applications.services import TransitionRefused
from applications.spreadsheets import CHUNK_ROWS, xlsx_response
from audit.services import record_identity_view
from greenfactory.paging import paginate, paginate_keys_first
from registry import national_list, reports, services
from registry.forms import NationalImportForm, RemovalForm
from registry.models import (
    NationalImport,
    NationalListing,
    NationalRecommendation,
    PublishedList,
    Report,
    UnmatchedNationalRow,
)
from registry.services import remove_from_list
from reviews.models import PublicityBatch
from reviews.views.municipal import city_only


@login_required
@require_POST
def publish(request, pk):
    city_only(request)
    batch = get_object_or_404(PublicityBatch, pk=pk)
    title = request.POST.get("title", "").strip() or _("%(year)d Shenzhen municipal green factory list") % {
        "year": batch.year
    }
    try:
        published = services.publish_list(batch, title=title, by=request.user)
    except TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("Published: %(title)s (%(n)d units).") % {"title": published.title, "n": published.dossiers.count()},
        )
    return redirect("publicity_batch", pk=pk)


@login_required
def publicity_notice_pdf(request, pk):
    """The issued 公示通知, byte for byte; before issue, the draft (not stored)."""
    city_only(request)
    from registry.models import DocumentType
    from registry.views.documents import stored_or_draft

    batch = get_object_or_404(PublicityBatch, pk=pk)
    return stored_or_draft(DocumentType.PUBLICITY_NOTICE, batch, f"publicity-{batch.pk}.pdf")


@login_required
def list_announcement_pdf(request, pk):
    city_only(request)
    from registry.models import DocumentType
    from registry.views.documents import stored_or_draft

    published = get_object_or_404(PublishedList, pk=pk)
    return stored_or_draft(DocumentType.LIST_ANNOUNCEMENT, published, f"list-{published.pk}.pdf")


@login_required
def nominations(request):
    """Parks and supply chains nominated to MIIT, and listed factories recommended to it (第十七条)."""
    city_only(request)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else timezone.localdate().year
    nominated = scoping.dossiers_for(request.user).filter(cycle_year=year, state=State.NOMINATED)
    recommended = NationalRecommendation.objects.filter(year=year).select_related("dossier__organisation__district")
    if request.method == "POST":
        dossier = scoping.get_dossier(
            request.user, request.POST.get("dossier", "0") if request.POST.get("dossier", "").isdigit() else 0
        )
        try:
            services.recommend_to_miit(dossier, year=year, note=request.POST.get("note", ""), by=request.user)
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request, _("%(organisation)s recommended to MIIT.") % {"organisation": dossier.organisation}
            )
        return redirect(f"{request.path}?year={year}")
    if request.GET.get("format") == "xlsx":
        headers = [_("Organisation"), _("Unified social credit code"), _("District"), _("Kind"), _("How")]
        # Streamed: plain values read in chunks (``values_list().iterator()``) into the write-only workbook.
        kinds = {value: str(label) for value, label in Kind.choices}
        fields = ("organisation__name", "organisation__credit_code", "organisation__district__name", "kind")
        how = (_("Nominated in review"), _("Listed green factory recommended"))
        by_name = nominated.order_by("organisation_name", "pk").values_list(*fields)
        chosen = recommended.order_by("dossier__organisation_name", "pk").values_list(
            *(f"dossier__{field}" for field in fields)
        )
        rows = (
            [name, code, district, kinds.get(kind, kind), label]
            for label, found in zip(how, (by_name, chosen), strict=True)
            for name, code, district, kind in found.iterator(chunk_size=CHUNK_ROWS)
        )
        return xlsx_response(f"miit-{year}", headers, rows, title=_("Recommendations to MIIT"))
    # Issue 13: the listed factories not yet recommended this year are searched (part of a name or credit
    # code), never all put in a drop-down: at most ``MATCHES_SHOWN`` matches, each with its own button.
    query = request.GET.get("q", "").strip()[:100]
    matches = listed_matches(request.user, year, query)
    search = {"year": year, "query": query, "matches": matches[:MATCHES_SHOWN], "more": len(matches) > MATCHES_SHOWN}
    if request.htmx and request.htmx.target == "listed-matches":
        return render(request, "registry/_listed_matches.html", search)
    context = {
        **search,
        "nominated": page_of_dossiers(request, nominated, param="nominated"),
        "recommended": paginate(request, recommended.order_by("dossier__organisation_name", "pk"), param="recommended"),
    }
    return render(request, "registry/nominations.html", context)


MATCHES_SHOWN = 20


def page_of_dossiers(request, dossiers, *, param):
    """A page of ``dossiers`` by organisation name: their pks in one query (the order and the count at once),
    then the page's dossiers alone."""
    pks = list(dossiers.order_by("organisation_name", "pk").values_list("pk", flat=True))
    page = paginate(request, pks, param=param)
    found = dossiers.in_bulk(list(page.object_list))
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return page


def listed_matches(user, year, query):
    """The listed factories ``user`` may see, not yet recommended to MIIT in ``year``, whose name or credit
    code contains ``query``: (pk, name, credit code, cycle year, district), at most ``MATCHES_SHOWN`` + 1 (the
    extra one says there are more)."""
    if not query:
        return []
    code = query.replace(" ", "").upper()
    found = (
        scoping.dossiers_for(user)
        .filter(state=State.LISTED, kind=Kind.FACTORY)
        .filter(Q(organisation__name__icontains=query) | Q(organisation__credit_code__contains=code))
        .exclude(national_recommendations__year=year)
        .order_by("organisation_name", "pk")
    )
    fields = ("pk", "organisation__name", "organisation__credit_code", "cycle_year", "organisation__district__name")
    return list(found.values_list(*fields)[: MATCHES_SHOWN + 1])


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
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("%(organisation)s was removed from the list; the notice is public.")
                % {"organisation": dossier.organisation},
            )
            return redirect("dossier_detail", pk=pk)
    return render(request, "registry/remove.html", {"dossier": dossier, "form": form})


@login_required
def city_reports(request):
    city_only(request)
    reports = scoping.reports_for(request.user).order_by("-received_at", "-pk")
    context = {"reports": paginate_keys_first(request, reports), "detail": "city_report"}
    return render(request, "registry/reports.html", context)


@login_required
def city_report(request, pk):
    city_only(request)
    report = get_object_or_404(scoping.reports_for(request.user), pk=pk)
    if request.method == "POST":
        try:
            if "assign" in request.POST:
                staff = get_object_or_404(scoping.city_staff(), pk=request.POST.get("to") or 0)
                reports.assign_report(report, to=staff, by=request.user)
            elif "share" in request.POST:
                reports.share_report_identity(report, share=request.POST.get("identity_shared") == "1", by=request.user)
            elif "verify" in request.POST:
                report.verification = request.POST.get("verification", "")
                report._history_user = request.user
                report.save()
            else:
                reports.decide_report(
                    report,
                    decision=request.POST.get("decision", ""),
                    note=request.POST.get("note", ""),
                    by=request.user,
                    rectify_by=parse_date(request.POST.get("rectify_by", "")),
                )
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("city_report", pk=pk)
    identity_visible = scoping.reporter_visible(request.user, report)
    if identity_visible:
        record_identity_view(request, [report])  # 个人信息保护法: every view of a reporter's identity
    context = {
        "report": report,
        "staff": scoping.city_staff(),
        "decisions": Report.Decision.choices,
        "identity_visible": identity_visible,
    }
    return render(request, "registry/report.html", context)


@login_required
def national(request):
    """第十八条: import MIIT's national list, match rows, close the round, record 企业绿码 grades."""
    city_only(request)
    form = NationalImportForm(request.POST or None, request.FILES or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        try:
            if "import" in request.POST and form.is_valid():
                sheet, year, kind = form.cleaned_data["sheet"], form.cleaned_data["year"], form.cleaned_data["kind"]
                rows, digest = national_list.read_national_list(sheet)
                if imports.is_large(rows):
                    # a large list is imported in the background; its page shows progress and the per-row report
                    job = imports.start_national_import(
                        request.user, rows, year=year, kind=kind, digest=digest, filename=sheet.name
                    )
                    return redirect(job)
                _imported, added, unmatched = national_list.import_read_list(
                    rows, digest=digest, filename=sheet.name, year=year, kind=kind, by=request.user
                )
                messages.success(
                    request,
                    _("%(added)d new national listings; %(unmatched)d rows to match by hand.")
                    % {"added": added, "unmatched": len(unmatched)},
                )
            elif "match" in request.POST:
                row = get_object_or_404(UnmatchedNationalRow, pk=request.POST.get("row") or 0)
                organisation = get_object_or_404(
                    Organisation, credit_code=request.POST.get("credit_code", "").replace(" ", "").upper()
                )
                national_list.match_row(row, organisation=organisation, by=request.user)
                messages.success(request, _("Matched."))
            elif "close" in request.POST:
                closed = national_list.close_national_round(
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
                return render(request, "registry/national.html", national_context(request, form))
        except (TransitionRefused, forms.ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or "；".join(error.messages))
        return redirect("national")
    return render(request, "registry/national.html", national_context(request, form))


def national_context(request, form):
    return {
        "form": form,
        "imports": paginate(
            request,
            NationalImport.objects.prefetch_related("unmatched").order_by("-imported_at", "-pk"),
            param="imports",
        ),
        "listings": paginate(
            request,
            NationalListing.objects.select_related("organisation__district").order_by(
                "-year", "organisation__name", "pk"
            ),
        ),
        "grades": NationalListing.Grade.choices,
        "kinds": Kind.choices,
        "jobs": ImportJob.objects.filter(user=request.user, kind=ImportJob.Kind.NATIONAL)[:5],
    }


@login_required
def report_evidence(request, pk):
    """A reporter's evidence, to the handling city staff only."""
    from applications.uploads import private_pdf

    report = get_object_or_404(scoping.reports_for(request.user), pk=pk)
    return private_pdf(report.evidence, f"report-{report.pk}.pdf")
