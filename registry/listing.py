"""Who is on a list now: the dossiers on a list.

第十八条: MIIT's national list counts as the municipal list too. Every unit of an imported national list
has a dossier here (``applications.services.enter_national_list``), so one query answers for all levels;
第二十一条, 第二十二条: a removed dossier is on no list, whatever its level.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils.translation import get_language

from applications.models import Dossier, Kind, Level, State
from audit.context import current_request

ON_A_LIST = [State.LISTED, State.RECHECKING]


def listed_dossiers(*, year=None, district_id=None, kind=None, level=None, name=None, dossiers=None):
    """The dossiers on a list now, best rank first within each year, newest year first (a stable order to page)."""
    dossiers = (dossiers if dossiers is not None else Dossier.objects).filter(state__in=ON_A_LIST)
    dossiers = dossiers.select_related("organisation__district", "published_list")
    if year:
        dossiers = dossiers.filter(cycle_year=year)
    if district_id:
        dossiers = dossiers.filter(district_id=district_id)
    if kind:
        dossiers = dossiers.filter(kind=kind)
    if level:
        dossiers = dossiers.filter(level=level)
    if name:
        dossiers = dossiers.filter(organisation__name__icontains=name)
    return dossiers.order_by("-cycle_year", F("rank").asc(nulls_last=True), "organisation_name", "pk")


def listed_years():
    """The years that have a unit on a list now, newest first (cached with the public list)."""

    def compute():
        years = Dossier.objects.filter(state__in=ON_A_LIST).values_list("cycle_year", flat=True)
        return list(years.order_by("-cycle_year").distinct())

    return cached(("years",), compute)


def as_row(d):
    """A listed dossier as public facts only (never the credit code or contact data)."""
    return {
        "year": d.cycle_year,
        "rank": d.rank,
        "name": d.organisation.name,
        "district": d.organisation.district.name,
        "district_id": d.organisation.district_id,
        "kind": d.kind,
        "kind_label": str(d.get_kind_display()),
        "level": d.level,
        "level_label": str(d.get_level_display()),
        "listed_on": d.listed_on.isoformat() if d.listed_on else None,
        "list_title": d.published_list.title if d.published_list_id else None,
    }


def listed_rows(**filters):
    """Open-data rows of ``listed_dossiers(**filters)``."""
    return [as_row(d) for d in listed_dossiers(**filters)]


# The columns a public row is built from: one ``values()`` query, no model instances.
PUBLIC_VALUES = (
    "cycle_year",
    "rank",
    "organisation__name",
    "organisation__district__name",
    "organisation__district_id",
    "kind",
    "level",
    "listed_on",
    "published_list__title",
)


def row_from_values(v):
    """``as_row`` of a ``values(*PUBLIC_VALUES)`` dict."""
    return {
        "year": v["cycle_year"],
        "rank": v["rank"],
        "name": v["organisation__name"],
        "district": v["organisation__district__name"],
        "district_id": v["organisation__district_id"],
        "kind": v["kind"],
        "kind_label": str(Kind(v["kind"]).label) if v["kind"] in Kind.values else v["kind"],
        "level": v["level"],
        "level_label": str(Level(v["level"]).label) if v["level"] in Level.values else v["level"],
        "listed_on": v["listed_on"].isoformat() if v["listed_on"] else None,
        "list_title": v["published_list__title"],
    }


def public_rows(dossiers):
    """Public rows of a queryset of ``listed_dossiers``, from ``values()``."""
    return (row_from_values(v) for v in dossiers.values(*PUBLIC_VALUES))


# --- The public list's cache ------------------------------------------------------------------------------
# Pages of the public list (/ and /public/lists/) are read far more often than lists change: the rows and
# the count of a search are kept in the cache per search, page and language under a version that every
# change to who is listed replaces (after the commit), so a publication or a removal shows at once.
VERSION_KEY = "public-list:version"


def last_transition():
    """The newest transition-log id: every state change appends one, bulk ones too (the sweeps' and imports'
    ``bulk_create`` sends no signal), so a new id means the lists may have changed. One index lookup, read once
    per request; it also keeps processes with their own (locmem) cache right."""
    from applications.models import TransitionLog

    request = current_request.get()
    if request is not None and hasattr(request, "_public_list_last_transition"):
        return request._public_list_last_transition
    last = TransitionLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if request is not None:
        request._public_list_last_transition = last
    return last


def cache_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return f"{version}:{last_transition()}"


def cache_key(parts):
    """The cache key of ``parts`` (and the language) under the current version of the public list."""
    digest = hashlib.sha256(repr((get_language(), *parts)).encode()).hexdigest()[:32]
    return f"public-list:{cache_version()}:{digest}"


def cached(parts, compute):
    """``compute()``, kept under the current version for ``PUBLIC_LIST_CACHE_SECONDS``."""
    key = cache_key(parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.PUBLIC_LIST_CACHE_SECONDS)
    return value


def forget_public_list():
    """Drop every cached page of the public list now (bulk writes that send no signal call this)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def public_list_changed():
    """Drop every cached page of the public list once the current transaction commits (publication, removal,
    national list import, a renamed unit: anything that changes a public row)."""
    transaction.on_commit(forget_public_list)


def _on_transition(sender, created, **kwargs):
    # Every state change (publish, remove, national list, recheck) appends a TransitionLog row.
    if created:
        public_list_changed()


def _on_organisation_saved(sender, **kwargs):
    public_list_changed()  # a listed unit's name or district may have changed


def _on_document_saved(sender, **kwargs):
    public_list_changed()  # an issued notice's PDF link and 文号 appear on the public pages


post_save.connect(_on_transition, sender="applications.TransitionLog", dispatch_uid="public-list-transition")
post_save.connect(_on_document_saved, sender="registry.IssuedDocument", dispatch_uid="public-list-document")
post_save.connect(_on_organisation_saved, sender="applications.Organisation", dispatch_uid="public-list-organisation")
