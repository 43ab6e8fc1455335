"""The exports that may run in the background: how each one finds its rows again from the user and the
filters the request carried (a job runs later, in a worker, with no request)."""

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts import scoping
from applications.models import Dossier, Kind, State
from applications.spreadsheets import Column


@dataclass(frozen=True)
class ExportKind:
    filename: str
    title: object
    columns: list
    rows: object  # (user, QueryDict) -> queryset


def as_query(params):
    query = QueryDict(mutable=True)
    for key, values in (params or {}).items():
        query.setlist(key, values if isinstance(values, list) else [values])
    return query


def dossier_columns():
    modes = dict(Dossier._meta.get_field("evaluation_mode").choices)
    return [
        Column(_("Organisation"), "organisation__name"),
        Column(_("Unified social credit code"), "organisation__credit_code"),
        Column(_("District"), "organisation__district__name"),
        Column(_("Kind"), "kind", dict(Kind.choices)),
        Column(_("Cycle year"), "cycle_year"),
        Column(_("State"), "state", dict(State.choices)),
        Column(_("Evaluation"), "evaluation_mode", modes),
        Column(_("Agency"), "agency__name"),
    ]


def _dossiers(user, params):
    from applications.filters import DossierFilter

    return DossierFilter(params, queryset=scoping.dossiers_for(user)).qs


def _district_queue(user, params):
    from reviews.forms import QueueFilter

    params = params.copy()
    params.setdefault("state", State.SUBMITTED)
    return QueueFilter(params, queryset=scoping.dossiers_for(user)).qs


def _conformity_queue(user, params):
    from applications.filters import DossierFilter

    params = params.copy()
    params.setdefault("state", State.RECOMMENDED)
    return DossierFilter(params, queryset=scoping.dossiers_for(user)).qs


def _local_date(value):
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def _flag_names(flags):
    return "、".join(flag.get("name", "") for flag in flags or [])


def annual_columns():
    from applications.models import AnnualReport

    return [
        Column(_("Organisation"), "dossier__organisation__name"),
        Column(_("District"), "dossier__organisation__district__name"),
        Column(_("Status"), "status", dict(AnnualReport.Status.choices)),
        Column(_("Overdue since"), "overdue_at", _local_date),
        Column(_("Flags"), "flags", _flag_names),
    ]


def annual_year(params):
    from django.utils import timezone

    year = params.get("year", "")
    return int(year) if year.isdigit() else timezone.localdate().year


def _annual_forms(user, params):
    """第二十一条: the year's annual forms in the user's scope; ``overdue`` keeps the overdue ones only."""
    from applications.models import AnnualReport

    reports = scoping.annual_reports_for(user).filter(year=annual_year(params))
    if params.get("overdue"):
        reports = reports.filter(overdue_at__isnull=False, status=AnnualReport.Status.DUE)
    return reports.order_by(*AnnualReport.LIST_ORDER)


KINDS = {
    "dossiers": ExportKind("dossiers", _("Dossiers"), dossier_columns(), _dossiers),
    "district_queue": ExportKind("dossiers", _("Dossiers"), dossier_columns(), _district_queue),
    "conformity_queue": ExportKind("dossiers", _("Dossiers"), dossier_columns(), _conformity_queue),
    "annual_forms": ExportKind("annual-forms", _("Annual forms"), annual_columns(), _annual_forms),
}
