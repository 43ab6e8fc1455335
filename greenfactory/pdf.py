"""PDFs rendered by WeasyPrint with nothing read over the network (STACK.md), for every app.

The fetcher serves ``/static/...`` and files under the project from disk and refuses every other URL.
The CJK font comes from fontconfig ("Noto Sans CJK SC"), never from ``@font-face``.
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
