"""Who is on a list now: the dossiers on a list.

第十八条: MIIT's national list counts as the municipal list too. Every unit of an imported national list
has a dossier here (``applications.services.enter_national_list``), so one query answers for all levels;
第二十一条, 第二十二条: a removed dossier is on no list, whatever its level.
"""

from django.db.models import F

from applications.models import Dossier, State

ON_A_LIST = [State.LISTED, State.RECHECKING]


def listed_rows(*, year=None, district_id=None, kind=None, level=None, dossiers=None):
    """Open-data rows, best rank first within each year, newest year first."""
    dossiers = (dossiers if dossiers is not None else Dossier.objects).filter(state__in=ON_A_LIST)
    dossiers = dossiers.select_related("organisation__district")
    if year:
        dossiers = dossiers.filter(cycle_year=year)
    if district_id:
        dossiers = dossiers.filter(organisation__district_id=district_id)
    if kind:
        dossiers = dossiers.filter(kind=kind)
    if level:
        dossiers = dossiers.filter(level=level)
    dossiers = dossiers.order_by("-cycle_year", F("rank").asc(nulls_last=True), "organisation__name")
    return [
        {
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
        }
        for d in dossiers
    ]
