"""What the public reads and files without logging in: the home page, published lists and open data
(第十七条, 第十八条), removal notices (第二十二条), real-name reports (第二十五条)."""

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.services import TransitionRefused
from greenfactory.ratelimit import limited
from registry import documents, open_data, public_notices, reports
from registry.forms import ReportForm
from registry.forms_public import ListSearchForm
from registry.listing import cache_key, cached, listed_dossiers, public_rows
from registry.models import DocumentType, PublishedList, Removal
from reviews.views.public import show_receipt

REMOVALS_PER_PAGE = 50


def pdf_response(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response


def search(request):
    """The list search of the request (name, year, district, kind, level) and the listed dossiers it finds."""
    form = ListSearchForm(request.GET)
    return form, listed_dossiers(**form.filters())


class CachedPage:
    """What ``Paginator`` needs of the rows of one page: the total and that page's rows, both from the cache."""

    def __init__(self, count, rows):
        self._count, self._rows = count, rows

    def count(self):
        return self._count

    def __getitem__(self, index):
        return self._rows


def listing_context(request):
    """The searched list, a page at a time (20 or 50 rows; the total is always shown, nothing is cut off).

    The total and the page's rows (read with ``values()``: only the shown columns) are cached per search, page
    size, page and language until the next publication or removal (``registry.listing.cached``)."""
    form = ListSearchForm(request.GET)
    filters, size = form.filters(), form.page_size()
    number = request.GET.get("page") or "1"

    def compute():
        dossiers = listed_dossiers(**filters)
        page = Paginator(dossiers, size).get_page(number)  # one COUNT; its object_list is never read
        count = page.paginator.count
        rows = list(public_rows(dossiers[page.start_index() - 1 : page.end_index()])) if count else []
        return {"count": count, "number": page.number, "rows": rows}

    found = cached(("page", sorted(filters.items()), size, number), compute)
    page = Paginator(CachedPage(found["count"], found["rows"]), size).get_page(found["number"])
    query = request.GET.copy()
    query.pop("page", None)
    return {"form": form, "page": page, "rows": found["rows"], "query": query.urlencode()}


def public_home(request):
    """The public home page (no login): publicity in progress, recent notices, the lists, the open data."""
    context = listing_context(request)
    context |= {
        "publicity": public_notices.publicity_board(timezone.localdate()),
        "notices": public_notices.recent_notices(10),
    }
    return render(request, "public/home.html", context)


def public_lists(request):
    fmt = request.GET.get("format")
    if fmt == "json":
        return open_data_json(request)
    if fmt == "csv":
        return open_data_csv(request)
    context = listing_context(request)
    announcements = Paginator(PublishedList.objects.defer("entries").order_by("-published_at", "-pk"), 20)
    published = announcements.get_page(request.GET.get("announcements"))
    numbers = documents.issued_numbers(DocumentType.LIST_ANNOUNCEMENT, published.object_list)
    for announcement in published.object_list:
        announcement.document_number = numbers.get(announcement.pk, "")
    context["published"] = published
    return render(request, "public/lists.html", context)


# A cached CSV body above this size is not kept (the whole list at 100,000 dossiers is about 4 MB).
CSV_CACHE_MAX_BYTES = 32 * 1024 * 1024


def open_data_csv(request):
    """Every unit the search finds (no cap), UTF-8 with a BOM so Excel reads the Chinese. Streamed from
    ``values_list().iterator()`` the first time, and kept whole in the public list's cache (dropped at the next
    publication or removal, ``registry.listing``), so later downloads are one cache read."""
    filters = ListSearchForm(request.GET).filters()
    key = cache_key(("csv", sorted(filters.items())))
    body = cache.get(key)
    if body is not None:
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(
            _kept(open_data.csv_lines(listed_dossiers(**filters)), key), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = 'attachment; filename="green-manufacturing-lists.csv"'
    return response


def _kept(chunks, key):
    """Pass ``chunks`` on as UTF-8 bytes and, once all were sent, keep their whole in the cache under ``key``."""
    sent, size = [], 0
    for chunk in chunks:
        data = chunk.encode()
        size += len(data)
        if size <= CSV_CACHE_MAX_BYTES:
            sent.append(data)
        yield data
    if size <= CSV_CACHE_MAX_BYTES:
        cache.set(key, b"".join(sent), settings.PUBLIC_LIST_CACHE_SECONDS)


def open_data_json(request):
    """Every unit the search finds, ``JSON_PAGE_SIZE`` a page, described by /open-data/schema.json."""
    filters = ListSearchForm(request.GET).filters()
    number = request.GET.get("page") or "1"

    def compute():  # the page's items and the totals, cached like the public list's pages
        page = Paginator(listed_dossiers(**filters), open_data.JSON_PAGE_SIZE).get_page(number)
        return {
            "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "items": list(open_data.items(page.object_list)),
        }

    found = cached(("json", sorted(filters.items()), number), compute)

    def page_url(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    body = {
        "schema": request.build_absolute_uri(reverse("open_data_schema")),
        "generated_at": found["generated_at"],
        "count": found["count"],
        "page": found["page"],
        "pages": found["pages"],
        "next": page_url(found["page"] + 1) if found["page"] < found["pages"] else None,
        "previous": page_url(found["page"] - 1) if found["page"] > 1 else None,
        "items": found["items"],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def open_data_schema(request):
    schema = open_data.schema(request.build_absolute_uri(reverse("open_data_schema")))
    response = JsonResponse(schema, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = "application/schema+json"
    return response


def public_list_pdf(request, pk):
    """The issued 名单公告, byte for byte; never a draft to the public (registry.views.documents)."""
    from registry.views.documents import issued_or_pending

    published = get_object_or_404(PublishedList, pk=pk)
    return issued_or_pending(request, DocumentType.LIST_ANNOUNCEMENT, published, f"list-{published.pk}.pdf")


def public_removals(request):
    """移出名单公告: each removal with its ground and the facts and reasons recorded (第二十二条: public notice),
    newest first, 50 a page (the total is shown; nothing is cut off)."""
    removals = Removal.objects.select_related("dossier__organisation__district").order_by("-decided_on", "-pk")
    page = Paginator(removals, REMOVALS_PER_PAGE).get_page(request.GET.get("page"))
    numbers = documents.issued_numbers(DocumentType.REMOVAL_NOTICE, page.object_list)
    for removal in page.object_list:
        removal.document_number = numbers.get(removal.pk, "")
    return render(request, "public/removals.html", {"removals": page.object_list, "page": page})


def removal_pdf(request, pk):
    """The issued 移出名单公告, byte for byte; never a draft to the public (registry.views.documents)."""
    from registry.views.documents import issued_or_pending

    removal = get_object_or_404(Removal, pk=pk)
    return issued_or_pending(request, DocumentType.REMOVAL_NOTICE, removal, f"removal-{removal.pk}.pdf")


@limited("public-submit")
def report_form(request):
    """第二十五条: anyone may report, under a real name with contact details and evidence."""
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = reports.file_report(
                organisation=form.organisation,
                agency=form.agency,
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
                content=form.cleaned_data["content"],
                evidence=form.cleaned_data.get("evidence"),
                email=form.cleaned_data.get("email", ""),
                track_url=request.build_absolute_uri(reverse("track_submission")),
            )
        except TransitionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Your report was received. Your identity is kept confidential."))
            return show_receipt(request, report, emailed=bool(form.cleaned_data.get("email")))
    return render(request, "public/report.html", {"form": form})
