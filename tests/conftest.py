"""Personas (after healthchecks' hc/test.py): a small named world every access test uses."""

import contextlib
import datetime
import os
import shutil
import zoneinfo
from dataclasses import dataclass

import pytest

from accounts.models import Role
from applications import services
from applications.models import Kind, State
from reviews.models import ExpertAssignment
from reviews.publicity import clear_for_publication
from tests.factories import AgencyFactory, OrganisationFactory, UserFactory, attach_pdf, declare_eligible, district

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CHROMIUM = "/usr/bin/chromium"
# Browser tests drive the live server with Playwright's sync API from the test thread (STACK.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fast_and_private(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Older tests act as a superuser in the workspace; tests/test_duties.py turns the refusal back on.
    settings.SUPERUSER_REFUSED_IN_WORKSPACE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"
    # A fresh in-memory cache per test: the public forms' rate-limit counters start from zero.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": tmp_path.name}
    }
    # Tests arrange data behind the pages' back and count again: no cached badge counts (test_todo_cache.py).
    settings.TODO_COUNTS_CACHE_SECONDS = 0
    settings.DASHBOARD_CACHE_SECONDS = 0
    settings.LIST_COUNT_CACHE_SECONDS = 0
    # The outbox's send task runs in the test process after the commit, so mail reaches django's mail.outbox.
    settings.OUTBOX_SEND_IN_PROCESS = True


@pytest.fixture(autouse=True)
def _login_protection(request, settings):
    """Lockout, session limits and two factors are on in the product; tests about something else sign in with
    force_login or Client.login and travel in time, so they run without them. Tests marked ``security`` keep them."""
    if "security" in request.keywords:
        settings.OTP_TOTP_THROTTLE_FACTOR = 0
        settings.OTP_STATIC_THROTTLE_FACTOR = 0
        return
    settings.AXES_ENABLED = False
    settings.TWO_FACTOR_REQUIRED = False
    settings.SESSION_IDLE_TIMEOUT_MINUTES = None
    settings.SESSION_ABSOLUTE_TIMEOUT_HOURS = None
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 365  # tests travel months ahead with one session


@pytest.fixture
def districts(db):
    """The 11 districts and the other reference data migrations seed (the working-day calendar, the
    evaluation templates). Transactional tests (run last) flush the migrations' rows; seed them again."""
    import importlib

    from django.apps import apps

    from applications.evaluations import ensure_templates
    from applications.models import District
    from workdays.models import ScheduleYear

    if not District.objects.exists():
        importlib.import_module("applications.migrations.0002_districts").seed(apps, None)
    if not ScheduleYear.objects.exists():
        importlib.import_module("workdays.migrations.0002_seed_from_chinesecalendar").seed(apps, None)
    ensure_templates()
    importlib.import_module("registry.migrations.0008_issuing_organs").seed(apps, None)


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
def world(districts):
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


# The path of a green factory through one cycle, with the dates a real cycle would use. Each step makes
# the record its rule asks for (the district's check, the conformity checklist, the publicity, the list).
FACTORY_PATH = [
    ("submit", at(2026, 3, 1)),
    ("recommend", at(2026, 5, 20)),
    ("pass_conformity", at(2026, 6, 20)),
    ("open_review", at(2026, 7, 10)),
    ("select_for_publicity", at(2026, 8, 31)),
    ("publish", at(2026, 9, 10)),
]
STATE_AFTER = {
    "submit": State.SUBMITTED,
    "recommend": State.RECOMMENDED,
    "pass_conformity": State.IN_LIBRARY,
    "open_review": State.IN_REVIEW,
    "select_for_publicity": State.IN_PUBLICITY,
    "publish": State.LISTED,
}
NO_REVIEW_IN_THIS_TEST = "测试：评审不在本测试范围"


def city_user():
    from accounts.models import User

    return User.objects.get_or_create(username="city-path", defaults={"role": Role.MUNICIPAL})[0]


def checked(dossier, by=None):
    """The district marks a submitted dossier as checked (第十五条: it recommends only checked ones)."""
    from reviews.recommendation import mark_ready

    return mark_ready(dossier, by=by)


def take_step(dossier, name, when):
    """Make the record step ``name`` needs, then take it through its own service."""
    from registry.services import publish_list
    from reviews import publicity
    from reviews.models import CONFORMITY_ITEMS, ConformityCheck

    if name == "recommend":
        checked(dossier)
    elif name == "pass_conformity":
        ConformityCheck.objects.create(
            dossier=dossier, results={k: True for k, _l in CONFORMITY_ITEMS}, passed=True, checked_by=city_user()
        )
    elif name == "select_for_publicity":
        publicity.create_publicity_batch(
            year=dossier.cycle_year,
            title=f"{dossier.cycle_year}年度公示",
            starts_on=when.date(),
            picks=[(dossier, None, NO_REVIEW_IN_THIS_TEST)],
            contact="0755-88100000",
            by=city_user(),
            now=when,
        )
        return type(dossier).objects.get(pk=dossier.pk)
    elif name == "publish":
        clear_for_publication(dossier, now=when)
        publish_list(dossier.publicity_entry.batch, title="名单", by=city_user(), now=when)
        return type(dossier).objects.get(pk=dossier.pk)
    return services.transition(dossier, name, now=when, reason="测试")


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
    for name, when in FACTORY_PATH:
        dossier = take_step(dossier, name, when.replace(year=year))
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
    has_chromium = shutil.which(CHROMIUM) is not None
    has_worker = os.environ.get("GF_CELERY_WORKER") == "1"
    required = os.environ.get("GF_REQUIRE_SERVICES") == "1"
    if required and not (on_postgres and has_chromium and has_worker):
        raise pytest.UsageError(
            "GF_REQUIRE_SERVICES=1 needs DATABASE_URL on PostgreSQL, /usr/bin/chromium and a Celery worker "
            "(GF_CELERY_WORKER=1, started by .ci/run)"
        )
    skip_worker = pytest.mark.skip(reason="needs a real Celery worker and Redis: run .ci/run")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/...")
    skip_browser = pytest.mark.skip(
        reason="needs Debian's Chromium at /usr/bin/chromium (bin/test installs it as root)"
    )
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(skip_browser)
        if "celery_worker" in item.keywords and not has_worker:
            item.add_marker(skip_worker)


@pytest.fixture
def spring():
    """The clock at 10 March 2027, 10:00 Shanghai: the 2027 recommendation window is open."""
    import time_machine

    with time_machine.travel(at(2027, 3, 10), tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser (DEVELOPERS.md)."""
    flags = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": flags}


class Screens:
    """Saves numbered full-page screenshots of a test under test-artifacts/screenshots/<test>/."""

    def __init__(self, name):
        from django.conf import settings

        self.folder = settings.BASE_DIR / "test-artifacts" / "screenshots" / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def __call__(self, page, label):
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{label}.png"), full_page=True)


@pytest.fixture
def screens(request):
    return Screens(request.node.name)


@contextlib.contextmanager
def below_the_model():
    """Arrange the past of append-only rows in a test, as only a database superuser could: on PostgreSQL the
    append-only triggers (applications/append_only_sql.py) are bypassed for the block; SQLite has none."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def no_deferred_loads(monkeypatch):
    """Fail when a page reads a column a list left out (``paginate_keys_first(only=...)``): Django would read it
    again with one query per row. A loaded column lives in the instance's ``__dict__``, so its descriptor is only
    reached for a deferred one."""
    from django.db.models.query_utils import DeferredAttribute

    def refuse(self, instance, cls=None):
        if instance is None:
            return self
        if self.field.attname in instance.__dict__:
            return instance.__dict__[self.field.attname]
        raise AssertionError(f"{type(instance).__name__}.{self.field.attname} was deferred and read row by row")

    monkeypatch.setattr(DeferredAttribute, "__get__", refuse)
