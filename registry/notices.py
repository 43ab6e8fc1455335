"""Notice PDFs: 公示通知, 名单公告, 区级推荐函 and 移出名单公告 (第十五条, 第十七条, 第二十一条, 第二十二条).

Each function returns the PDF as bytes. WeasyPrint reads nothing over the network: the fetcher serves
``/static/...`` and files under the project from disk and refuses every other URL (STACK.md). The CJK
font comes from fontconfig ("Noto Sans CJK SC" on ``body`` and on ``@page``), never from ``@font-face``.
"""

import datetime
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

MUNICIPAL_BUREAU = "深圳市工业和信息化局"
RULES = "《深圳市绿色工厂梯度培育管理实施细则》（深工信规〔2024〕9号）"
NOTICE_LANGUAGE = "zh-hans"


class FetchRefused(ValueError):
    """A notice asked for a resource that is neither a static file nor a file of the project."""


def cn_date(value):
    """2026年10月9日; an aware datetime is first turned into its Asia/Shanghai date."""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


class LocalFetcher(URLFetcher):
    """Serves ``/static/...`` and ``file://`` paths inside the project from disk; refuses the rest."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True)

    def fetch(self, url, headers=None):
        path = self.local_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})

    @staticmethod
    def local_path(url):
        parts = urlsplit(url)
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            raw = url2pathname(parts.path)
        elif parts.scheme == "" and not parts.netloc and url.startswith("/"):
            raw = parts.path
        else:
            raise FetchRefused(f"notices read local files only, refused: {url}")
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        project = Path(settings.BASE_DIR).resolve()
        path = Path(raw).resolve()
        relative = raw.removeprefix(static_prefix)
        if raw.startswith(static_prefix) and not path.is_relative_to(project) and ".." not in Path(relative).parts:
            # "/static/x.css" resolved against the project's file:// base URL: a static file, found
            # where collectstatic would find it (app folders may live outside the project, in the venv).
            found = finders.find(relative) or Path(settings.STATIC_ROOT) / relative
            static = Path(found).resolve()
            if static.is_file():
                return static
        elif path.is_relative_to(project) and path.is_file() and not LocalFetcher.private(path):
            return path
        raise FetchRefused(f"no such file in the project or its static files: {url}")


def _private(path):
    """Uploaded evidence, the database and settings never go into a notice."""
    project = Path(settings.BASE_DIR).resolve()
    blocked = [Path(settings.MEDIA_ROOT).resolve(), project / "var", project / ".env"]
    return any(path == b or path.is_relative_to(b) for b in blocked)


LocalFetcher.private = staticmethod(_private)


def base_url():
    return Path(settings.BASE_DIR).resolve().as_uri() + "/"


def render_pdf(template_name, context):
    """Render a Django template to HTML, then WeasyPrint to PDF bytes, in Simplified Chinese."""
    with translation.override(NOTICE_LANGUAGE):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=base_url(), url_fetcher=LocalFetcher()).write_pdf()


def publicity_notice(batch):
    """公示通知 (第十七条): the units in publicity, the period and how to object. No credit codes."""
    entries = batch.entries.select_related("dossier__organisation__district").order_by("position")
    return render_pdf(
        "notices/publicity.html",
        {
            "title": f"关于{batch.title}的公示",
            "rules": RULES,
            "starts_on": cn_date(batch.starts_on),
            "ends_on": cn_date(batch.ends_on),
            "contact": batch.contact,
            "entries": entries,
            # 第十七条: the notice says the units were reviewed only when every one of them was.
            "all_reviewed": not any(e.dossier.manual_selection_reason for e in entries),
            "issuer": MUNICIPAL_BUREAU,
            "date": cn_date(batch.starts_on),
        },
    )


def list_announcement(published_list):
    """名单公告 (第十七条): the municipal list published after publicity, ordered by rank."""
    rows = published_list.entries or [
        {
            "rank": d.rank,
            "name": d.organisation.name,
            "district": d.organisation.district.name,
            "kind_label": d.get_kind_display(),
        }
        for d in published_list.dossiers.select_related("organisation__district").order_by("rank", "pk")
    ]
    return render_pdf(
        "notices/list.html",
        {
            "title": published_list.title,
            "rules": RULES,
            "dossiers": rows,
            "issuer": MUNICIPAL_BUREAU,
            "date": cn_date(published_list.published_at),
        },
    )


def recommendation_letter(batch):
    """区级推荐函 (第十五条): the district bureau's letter sending its list to the city."""
    dossiers = list(batch.dossiers.select_related("organisation").order_by("organisation__name", "pk"))
    return render_pdf(
        "notices/recommendation.html",
        {
            "title": f"关于推荐{batch.cycle_year}年度绿色制造名单的函",
            "addressee": MUNICIPAL_BUREAU,
            "year": batch.cycle_year,
            "rules": RULES,
            "dossiers": dossiers,
            "note_paragraphs": [line.strip() for line in batch.note.splitlines() if line.strip()],
            "issuer": batch.district.bureau_name,
            "date": cn_date(batch.submitted_at),
        },
    )


def removal_notice(dossiers, *, decided_on):
    """移出名单公告 (第二十一条, 第二十二条): the units removed from the municipal list, the ground, and the
    facts and reasons recorded with the removal (the removal form promises to publish them)."""
    from applications.models.dossiers import RemovalGround
    from registry.models import Removal

    dossiers = list(dossiers)
    removals = {r.dossier_id: r for r in Removal.objects.filter(dossier__in=[d.pk for d in dossiers])}
    rows = []
    for dossier in dossiers:
        removal = removals.get(dossier.pk)
        ground = removal.ground if removal else dossier.removal_ground
        rows.append(
            {
                "name": dossier.organisation.name,
                "district": dossier.organisation.district.name,
                "kind_label": dossier.get_kind_display(),
                "ground_label": RemovalGround(ground).label if ground in RemovalGround.values else ground,
                "facts": removal.reason if removal else dossier.outcome_reason,
            }
        )
    return render_pdf(
        "notices/removal.html",
        {
            "title": "关于移出深圳市绿色制造名单单位的公告",
            "rules": RULES,
            "rows": rows,
            "issuer": MUNICIPAL_BUREAU,
            "date": cn_date(decided_on),
        },
    )
