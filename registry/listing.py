"""Who is on a list now: the dossiers on a list.

第十八条: MIIT's national list counts as the municipal list too. Every unit of an imported national list
has a dossier here (``applications.services.enter_national_list``), so one query answers for all levels;
第二十一条, 第二十二条: a removed dossier is on no list, whatever its level.
"""

from django.db.models import F

from applications.models import Dossier, State

ON_A_LIST = [State.LISTED, State.RECHECKING]


def listed_dossiers(*, year=None, district_id=None, kind=None, level=None, name=None, dossiers=None):
    """The dossiers on a list now, best rank first within each year, newest year first (a stable order to page)."""
    dossiers = (dossiers if dossiers is not None else Dossier.objects).filter(state__in=ON_A_LIST)
    dossiers = dossiers.select_related("organisation__district", "published_list")
    if year:
        dossiers = dossiers.filter(cycle_year=year)
    if district_id:
        dossiers = dossiers.filter(organisation__district_id=district_id)
    if kind:
        dossiers = dossiers.filter(kind=kind)
    if level:
        dossiers = dossiers.filter(level=level)
    if name:
        dossiers = dossiers.filter(organisation__name__icontains=name)
    return dossiers.order_by("-cycle_year", F("rank").asc(nulls_last=True), "organisation__name", "pk")


def listed_years():
    """The years that have a unit on a list now, newest first."""
    years = Dossier.objects.filter(state__in=ON_A_LIST).values_list("cycle_year", flat=True)
    return list(years.order_by("-cycle_year").distinct())


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
