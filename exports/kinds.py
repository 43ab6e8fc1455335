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


KINDS = {
    "dossiers": ExportKind("dossiers", _("Dossiers"), dossier_columns(), _dossiers),
    "district_queue": ExportKind("dossiers", _("Dossiers"), dossier_columns(), _district_queue),
    "conformity_queue": ExportKind("dossiers", _("Dossiers"), dossier_columns(), _conformity_queue),
}
