"""What the public reads and files without logging in: published lists and open data (第十七条, 第十八条),
removal notices (第二十二条), real-name reports (第二十五条)."""

import csv

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from applications.models import District, Kind, Level
from applications.services import TransitionRefused
from registry import reports
from registry.forms import ReportForm
from registry.models import PublishedList, Removal


def pdf_response(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response


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


def report_form(request):
    """第二十五条: anyone may report, under a real name with contact details and evidence."""
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            reports.file_report(
                organisation=form.organisation,
                agency=form.agency,
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
                content=form.cleaned_data["content"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except TransitionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Your report was received. Your identity is kept confidential."))
            return redirect("public_report")
    return render(request, "public/report.html", {"form": form})
