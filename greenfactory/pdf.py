"""PDFs rendered by WeasyPrint with nothing read over the network (STACK.md), for every app.

The fetcher serves ``/static/...`` and files under the project from disk and refuses every other URL.
The CJK font comes from fontconfig ("Noto Sans CJK SC"), never from ``@font-face``.
"""

import datetime
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import tinycss2
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML
from weasyprint.html import UA, UA_COUNTER_STYLE
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


# The elements our PDF templates use (templates/notices/, templates/applications/report/): a test keeps the
# templates within it.
PDF_ELEMENTS = frozenset(
    {"html", "head", "meta", "title", "link", "style", "body", "header", "section", "div", "p", "h1", "h2", "h3"}
    | {"span", "strong", "br", "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td"}
)
# Pseudo-elements of those elements that WeasyPrint's sheet styles and we keep (br::before is the line break).
PDF_PSEUDO_ELEMENTS = frozenset({"before", "after", "marker"})


def _top_level_parts(tokens):
    """A rule's selector list split at its top-level commas (``:is(a, b)`` is one token)."""
    part = []
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            yield part
            part = []
        else:
            part.append(token)
    yield part


def _selector_kept(tokens):
    """A selector of the library's sheet that can match our elements: only their tag names, descendant and
    child combinators, and pseudo-elements; no attribute selector, pseudo-class or ``:is()`` (none of our
    templates sets ``dir``, ``hidden`` or a form field)."""
    colons = 0
    for token in tokens:
        if token.type in ("whitespace", "comment"):
            colons = 0
        elif token.type == "literal" and token.value == ":":
            colons += 1
        elif token.type == "literal" and token.value == ">":
            colons = 0
        elif token.type == "ident":
            if colons == 0 and token.lower_value not in PDF_ELEMENTS:
                return False
            if colons == 1 or (colons == 2 and token.lower_value not in PDF_PSEUDO_ELEMENTS):
                return False
            colons = 0
        else:
            return False
    return True


def _pdf_user_agent_sheet_text():
    """WeasyPrint's own HTML user-agent sheet, kept only where it can style our elements, with its ``@page``
    rules. Issue 13: WeasyPrint matches every element against the whole sheet (forms, lists, ``[dir]`` rules):
    1.7 s of a 1,000-row list notice's render on the benchmark machine, 0.7 s with this sheet. Counter styles
    (``counter(page)``) stay registered from the full sheet. tests/test_pdf_user_agent.py lays every document
    out both ways and compares every box."""
    kept = []
    for rule in tinycss2.parse_stylesheet(UA, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule":
            if rule.lower_at_keyword == "page":
                kept.append(tinycss2.serialize([rule]))
            continue
        if rule.type != "qualified-rule":
            continue
        selectors = [part for part in _top_level_parts(rule.prelude) if _selector_kept(part)]
        if selectors:
            prelude = ", ".join(tinycss2.serialize(part).strip() for part in selectors)
            kept.append(f"{prelude} {{{tinycss2.serialize(rule.content)}}}")
    return "\n".join(kept)


PDF_USER_AGENT_SHEET_TEXT = _pdf_user_agent_sheet_text()
PDF_USER_AGENT_SHEET = CSS(string=PDF_USER_AGENT_SHEET_TEXT, counter_style=UA_COUNTER_STYLE)


class DocumentHTML(HTML):
    """WeasyPrint's HTML with the trimmed user-agent sheet. ``_ua_stylesheets`` is WeasyPrint's own (private)
    hook for it: the version is pinned, and tests/test_pdf_user_agent.py fails if the hook stops being used."""

    def _ua_stylesheets(self, forms=False):
        return [PDF_USER_AGENT_SHEET]


def render_pdf(template_name, context):
    """Render a Django template to HTML, then WeasyPrint to PDF bytes, in Simplified Chinese."""
    with translation.override(NOTICE_LANGUAGE):
        html = render_to_string(template_name, context)
    return DocumentHTML(string=html, base_url=base_url(), url_fetcher=LocalFetcher()).write_pdf()
