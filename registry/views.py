"""Publication (第十七条), national recommendations, public lists with open data, and notice PDFs."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from applications.models import District, Kind, Level, State
from applications.services import TransitionRefused
from applications.spreadsheets import xlsx_response
from registry import services
from registry.models import NationalRecommendation, PublishedList
from reviews.models import PublicityBatch, RecommendationBatch
from reviews.views_municipal import city_only


def pdf_response(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response


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
    city_only(request)
    from registry import notices

    batch = get_object_or_404(PublicityBatch, pk=pk)
    return pdf_response(notices.publicity_notice(batch), f"publicity-{batch.pk}.pdf")


@login_required
def list_announcement_pdf(request, pk):
    city_only(request)
    from registry import notices

    published = get_object_or_404(PublishedList, pk=pk)
    return pdf_response(notices.list_announcement(published), f"list-{published.pk}.pdf")


@login_required
def recommendation_letter_pdf(request, pk):
    """The district's letter: its own officers and the city only."""
    from registry import notices

    batch = get_object_or_404(RecommendationBatch, pk=pk)
    if not (scoping.is_city(request.user) or request.user.district_id == batch.district_id):
        raise Http404
    return pdf_response(notices.recommendation_letter(batch), f"recommendation-{batch.pk}.pdf")


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
        rows = [
            [
                d.organisation.name,
                d.organisation.credit_code,
                d.organisation.district.name,
                d.get_kind_display(),
                _("Nominated in review"),
            ]
            for d in nominated
        ]
        rows += [
            [
                r.dossier.organisation.name,
                r.dossier.organisation.credit_code,
                r.dossier.organisation.district.name,
                r.dossier.get_kind_display(),
                _("Listed green factory recommended"),
            ]
            for r in recommended
        ]
        return xlsx_response(f"miit-{year}", headers, rows, title=_("Recommendations to MIIT"))
    listed = (
        scoping.dossiers_for(request.user)
        .filter(state=State.LISTED, kind=Kind.FACTORY)
        .exclude(national_recommendations__year=year)
    )
    context = {"year": year, "nominated": nominated, "recommended": recommended, "listed": listed}
    return render(request, "registry/nominations.html", context)


# ---- public (no login) ------------------------------------------------------------------------------


def filtered(request):
    """Every unit on a list now, as open-data rows, with the request's filters (year, district, kind, level)."""
    from registry.listing import listed_rows

    year, district, kind, level = (request.GET.get(k, "") for k in ("year", "district", "kind", "level"))
    return listed_rows(
        year=int(year) if year.isdigit() else None,
        district_id=int(district) if district.isdigit() else None,
        kind=kind if kind in Kind.values else None,
        level=level if level in Level.values else None,
    )


def public_lists(request):
    rows = filtered(request)
    fmt = request.GET.get("format")
    if fmt == "json":
        return JsonResponse({"count": len(rows), "results": rows}, json_dumps_params={"ensure_ascii": False})
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="green-manufacturing-lists.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
        writer = csv.writer(response)
        fields = ["year", "rank", "name", "district", "kind", "kind_label", "level", "listed_on"]
        writer.writerow(fields)
        for item in rows:
            writer.writerow([item[f] for f in fields])
        return response
    context = {
        "rows": rows[:500],
        "districts": District.objects.all(),
        "kinds": Kind.choices,
        "levels": Level.choices,
        "years": sorted({row["year"] for row in filtered_all()}, reverse=True),
        "published": PublishedList.objects.all()[:20],
        "query": request.GET.urlencode(),
    }
    return render(request, "public/lists.html", context)


def filtered_all():
    from registry.listing import listed_rows

    return listed_rows()


def public_list_pdf(request, pk):
    from registry import notices

    published = get_object_or_404(PublishedList, pk=pk)
    return pdf_response(notices.list_announcement(published), f"list-{published.pk}.pdf")
