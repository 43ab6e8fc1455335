"""Who is on a list now: listed dossiers, and units on MIIT's national list that have no dossier here.

第十八条: MIIT's national list counts as the municipal list too, so a national unit that never came
through this portal is still a listed unit of Shenzhen (public list, open data, dashboards).
第二十一条, 第二十二条: a removed unit leaves every public list at once, whatever its level, so a national
listing never brings back a unit whose dossier of that kind was removed.
"""

from django.db.models import Exists, OuterRef

from applications.models import Dossier, Kind, Level, State

ON_A_LIST = [State.LISTED, State.RECHECKING]


def national_only():
    """National listings whose organisation has no dossier of that kind on a list, nor one removed from it."""
    from registry.models import NationalListing

    same_unit = Dossier.objects.filter(organisation=OuterRef("organisation"), kind=OuterRef("kind"))
    on_a_list = same_unit.filter(state__in=ON_A_LIST)
    removed = same_unit.filter(state=State.REMOVED)
    return (
        NationalListing.objects.exclude(Exists(on_a_list))
        .exclude(Exists(removed))
        .select_related("organisation__district")
    )


def listed_rows(*, year=None, district_id=None, kind=None, level=None, dossiers=None):
    """Open-data rows, best rank first within each year, newest year first."""
    dossiers = (dossiers if dossiers is not None else Dossier.objects).filter(state__in=ON_A_LIST)
    dossiers = dossiers.select_related("organisation__district")
    nationals = national_only()
    if year:
        dossiers, nationals = dossiers.filter(cycle_year=year), nationals.filter(year=year)
    if district_id:
        dossiers = dossiers.filter(organisation__district_id=district_id)
        nationals = nationals.filter(organisation__district_id=district_id)
    if kind:
        dossiers, nationals = dossiers.filter(kind=kind), nationals.filter(kind=kind)
    if level:
        dossiers = dossiers.filter(level=level)
        nationals = nationals if level == Level.NATIONAL else nationals.none()
    rows = [
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
    rows += [
        {
            "year": n.year,
            "rank": None,
            "name": n.organisation.name,
            "district": n.organisation.district.name,
            "district_id": n.organisation.district_id,
            "kind": n.kind,
            "kind_label": str(Kind(n.kind).label),
            "level": Level.NATIONAL,
            "level_label": str(Level.NATIONAL.label),
            "listed_on": None,
        }
        for n in nationals
    ]
    rows.sort(key=lambda r: (-r["year"], r["rank"] is None, r["rank"] or 0, r["name"]))
    return rows
