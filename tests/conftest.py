"""Personas (after healthchecks' hc/test.py): a small named world every access test uses."""

import datetime
import zoneinfo
from dataclasses import dataclass

import pytest

from accounts.models import Role
from applications import services
from applications.models import Kind, State
from reviews.models import ExpertAssignment
from reviews.services import clear_for_publication
from tests.factories import AgencyFactory, OrganisationFactory, UserFactory, attach_pdf, declare_eligible, district

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fast_and_private(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"


@dataclass
class World:
    org_a: object
    org_b: object
    applicant_a: object
    applicant_b: object
    officer_nanshan: object
    officer_futian: object
    municipal: object
    expert: object
    expert2: object
    agency: object
    agency_user: object


@pytest.fixture
def world(db):
    org_a = OrganisationFactory(name="深圳市甲绿色制造有限公司", district=district("nanshan"))
    org_b = OrganisationFactory(name="深圳市乙精密电子有限公司", district=district("futian"))
    for org in (org_a, org_b):
        declare_eligible(org, Kind.FACTORY)
    agency = AgencyFactory(name="深圳市丙评价技术有限公司")
    return World(
        org_a=org_a,
        org_b=org_b,
        applicant_a=UserFactory(username="applicant_a", role=Role.APPLICANT, organisation=org_a, email="a@example.com"),
        applicant_b=UserFactory(username="applicant_b", role=Role.APPLICANT, organisation=org_b),
        officer_nanshan=UserFactory(
            username="officer_ns", role=Role.DISTRICT, district=district("nanshan"), email="ns@example.com"
        ),
        officer_futian=UserFactory(username="officer_ft", role=Role.DISTRICT, district=district("futian")),
        municipal=UserFactory(username="city", role=Role.MUNICIPAL),
        expert=UserFactory(username="expert1", role=Role.EXPERT),
        expert2=UserFactory(username="expert2", role=Role.EXPERT),
        agency=agency,
        agency_user=UserFactory(username="agency1", role=Role.AGENCY, agency=agency),
    )


# The path of a green factory through one cycle, with the dates a real cycle would use.
FACTORY_PATH = [
    ("submit", {}, at(2026, 3, 1)),
    ("recommend", {}, at(2026, 5, 20)),
    ("pass_conformity", {}, at(2026, 6, 20)),
    ("open_review", {}, at(2026, 7, 10)),
    ("select_for_publicity", {"publicity_ends_on": datetime.date(2026, 9, 4)}, at(2026, 8, 31)),
    ("publish", {"rank": 1}, at(2026, 9, 10)),
]
STATE_AFTER = {
    "submit": State.SUBMITTED,
    "recommend": State.RECOMMENDED,
    "pass_conformity": State.IN_LIBRARY,
    "open_review": State.IN_REVIEW,
    "select_for_publicity": State.IN_PUBLICITY,
    "publish": State.LISTED,
}


def make_dossier(organisation, state=State.POOLED, *, kind=Kind.FACTORY, year=2026, agency=None):
    """A dossier of ``organisation`` moved along the real path to ``state`` (pooled ... listed)."""
    dossier = services.pool(organisation, kind, year, now=at(year, 1, 15))
    if agency is not None:
        dossier.evaluation_mode = "agency"
        dossier.agency = agency
        dossier.save()
    if state == State.POOLED:
        return dossier
    attach_pdf(dossier)
    for name, params, when in FACTORY_PATH:
        when = when.replace(year=year)
        if name == "publish":
            clear_for_publication(dossier, now=when)
        dossier = services.transition(dossier, name, now=when, reason="测试", **params)
        if dossier.state == state:
            return dossier
    raise AssertionError(f"cannot reach {state} along the factory path")


@pytest.fixture
def assign():
    def _assign(dossier, expert, conflict=False):
        return ExpertAssignment.objects.create(dossier=dossier, expert=expert, conflict_declared=conflict)

    return _assign


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need the real database; in CI (GF_REQUIRE_SERVICES=1) they must run."""
    import os

    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    required = os.environ.get("GF_REQUIRE_SERVICES") == "1"
    if required and not on_postgres:
        raise pytest.UsageError("GF_REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/...")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture
def spring():
    """The clock at 10 March 2027, 10:00 Shanghai: the 2027 recommendation window is open."""
    import time_machine

    with time_machine.travel(at(2027, 3, 10), tick=True) as traveller:
        yield traveller
