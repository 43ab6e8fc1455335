"""Pagination for the workspace's list pages: one ``COUNT`` and one slice per list, whatever its size.

Every list page pages its rows (issue 13: a province has 100,000 dossiers); the filters stay in the page
links (``templates/applications/_pages.html`` builds them from the request's own query string) and staff
choose how many rows a page holds (``?per_page=``, one of ``PAGE_SIZES``).
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.utils.functional import cached_property

PAGE_SIZES = (25, 50, 100, 200)
PAGE_SIZE = 50
# Any save or delete through the ORM renews this token, and with it every cached list total (``forget_counts``).
COUNT_GENERATION_KEY = "list-count-generation"
# Rows written at every sign-in that no list counts: they would empty the cache for nothing.
UNCOUNTED_APPS = frozenset({"sessions", "axes"})


class SharedCountPaginator(Paginator):
    """A paginator whose total is shared for ``LIST_COUNT_CACHE_SECONDS`` by every request that asks the same
    query (the same SQL and parameters: the same scope and filters, whoever asks).

    Issue 13: on PostgreSQL, counting the city's 100,000 dossiers took 20 ms of a 58 ms workspace page, on every
    page of every visit. A save or delete through the ORM anywhere forgets all totals once its transaction commits,
    so a user's own action shows at once; rows written in bulk (a deadline sweep, an import) may be missing from a
    total, and from the end of the last page, for at most that many seconds. 0 counts on every page.
    """

    @cached_property
    def count(self):
        seconds = getattr(settings, "LIST_COUNT_CACHE_SECONDS", 0)
        rows = self.object_list
        if not seconds or not isinstance(rows, QuerySet):
            return super().count
        key = shared_key("list-count", rows)
        if key is None:  # .none() or an empty ``__in``: nothing to count
            return 0
        total = cache.get(key)
        if total is None:
            total = super().count
            cache.set(key, total, seconds)
        return total


def shared_key(prefix, rows):
    """The cache key of a queryset's result: its SQL and parameters under the current generation (renewed by
    ``forget_counts``), or None for a query that cannot match a row."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return None
    generation = cache.get(COUNT_GENERATION_KEY, "")
    digest = hashlib.sha256(f"{rows.db}|{sql}|{params!r}".encode()).hexdigest()
    return f"{prefix}:{generation}:{digest}"


def shared_keys(rows):
    """The primary keys of ``rows`` (a ``values_list("pk", flat=True)`` queryset, or a list), read once and shared
    like the list totals: for ``LIST_COUNT_CACHE_SECONDS``, until any ORM save or delete commits.

    For an order the database computes for every row before it can page: the ranking's aggregate of the final
    scores of each dossier in review (issue 13: 16,000 reviews, 70–90 ms on PostgreSQL at 100,000 dossiers).
    """
    seconds = getattr(settings, "LIST_COUNT_CACHE_SECONDS", 0)
    if not seconds or not isinstance(rows, QuerySet):
        return list(rows)
    key = shared_key("list-keys", rows)
    if key is None:
        return []
    keys = cache.get(key)
    if keys is None:
        keys = list(rows)
        cache.set(key, keys, seconds)
    return keys


def forget_counts(sender, **kwargs):
    """post_save / post_delete receiver: forget every shared list total (and ``shared_keys``' lists) once the
    change is committed."""
    if sender._meta.app_label in UNCOUNTED_APPS:
        return
    transaction.on_commit(lambda: cache.set(COUNT_GENERATION_KEY, uuid.uuid4().hex, None), using=kwargs.get("using"))


def page_size(request, *, at_least=0, default=PAGE_SIZE):
    """The requested page size (one of ``PAGE_SIZES``, else ``default``), never below ``at_least`` (a bulk
    action's preselection)."""
    asked = request.GET.get("per_page", "")
    size = int(asked) if asked.isdigit() and int(asked) in PAGE_SIZES else default
    return max(size, at_least)


def paginate(request, rows, *, param="page", at_least=0, default=PAGE_SIZE):
    """The page of ``rows`` (a queryset or a list) that ``?<param>=`` asks for, with the page-size links.
    ``default``: the page size when none is asked for (a page with several lists shows fewer rows of each)."""
    size = page_size(request, at_least=at_least, default=default)
    page = SharedCountPaginator(rows, size).get_page(request.GET.get(param))
    page.param = param
    page.size_links = size_links(request, param, size, at_least)
    return page


def size_links(request, param, current, at_least=0):
    """(size, query string, is current) per choice; the other filters kept, the page number reset."""
    links = []
    for size in (s for s in PAGE_SIZES if s >= at_least):
        query = request.GET.copy()
        query.pop(param, None)
        query["per_page"] = str(size)
        links.append((size, query.urlencode(), size == current))
    return links


def paginate_keys_first(request, rows, *, param="page", at_least=0, default=PAGE_SIZE, related=None, only=None):
    """``paginate`` a queryset with the sort done on the keys alone (a "deferred join"): sorting 40,000 full
    rows by a related column took most of a first page at 100,000 dossiers. The page's rows are then read by
    key and put in that order: one query more than ``paginate``, the same whatever the size. ``related``: the
    only related rows the page shows (read with it instead of the queryset's own ``select_related``).

    ``only``: the columns the page shows (``QuerySet.only``, related ones as ``district__name``). Reading and
    converting a dossier's 36 columns was most of the cost of reading a page of them (4–5 ms of a 22 ms page
    on SQLite, issue 13). A column left out is read again row by row if a template asks for it: the list
    tests fail on that (``tests.conftest.no_deferred_loads``)."""
    page = paginate(request, rows.values_list("pk", flat=True), param=param, at_least=at_least, default=default)
    keys = list(page.object_list)
    if related is not None:
        rows = rows.select_related(None).select_related(*related)
    if only is not None:
        rows = rows.only(*only)
    by_key = {row.pk: row for row in rows.filter(pk__in=keys).order_by()} if keys else {}
    page.object_list = [by_key[key] for key in keys if key in by_key]
    return page
