"""Records kept as written refuse revert, change and delete through every path (issue 12, 等保2.0 level 3).

Paths: the admin's history "revert" (django-simple-history), the admin's change and delete screens, and the
ORM (``save``, ``delete``, the queryset's ``update`` and ``delete``). Superusers are refused like anyone.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.urls import reverse

from applications import services
from applications.admin_append_only import REVERT_REFUSED
from applications.models import (
    AgencyEvaluation,
    AgencyFlag,
    EligibilityDeclaration,
    EvaluationSnapshot,
    ExclusionCondition,
    ExclusionDeclaration,
    RemovalGround,
    ReportVersion,
    State,
    TransitionLog,
)
from registry.models import NationalRecommendation, PublishedList, Removal
from registry.services import recommend_to_miit, remove_from_list
from reviews.models import ConformityCheck, PublicityBatch, PublicityEntry, RecommendationBatch
from tests.conftest import make_dossier
from tests.factories import MINIMAL_PDF, UserFactory

pytestmark = pytest.mark.django_db

TAMPERED = "篡改"

# model → (a field kept as written, a different value for it)
FIXED_FIELD = {
    ExclusionDeclaration: ("evidence", TAMPERED),
    EligibilityDeclaration: ("evidence", TAMPERED),
    ConformityCheck: ("reasons", TAMPERED),
    RecommendationBatch: ("note", TAMPERED),
    PublicityBatch: ("title", TAMPERED),
    PublicityEntry: ("selection_note", TAMPERED),
    PublishedList: ("title", TAMPERED),
    NationalRecommendation: ("note", TAMPERED),
    Removal: ("reason", TAMPERED),
    TransitionLog: ("reason", TAMPERED),
    AgencyFlag: ("reason", TAMPERED),
    AgencyEvaluation: ("year", 1999),
    EvaluationSnapshot: ("total", 1),
    ReportVersion: ("sha256", "0" * 64),
}
# Those with an admin that keeps their history (django-simple-history's revert screen).
WITH_REVERT = [
    ExclusionDeclaration,
    EligibilityDeclaration,
    ConformityCheck,
    RecommendationBatch,
    PublicityBatch,
    PublishedList,
    NationalRecommendation,
    Removal,
]
WITH_ADMIN = [*WITH_REVERT, TransitionLog, EvaluationSnapshot, ReportVersion]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def records(world):
    """One row of every append-only model, made through the portal's own services."""
    listed = make_dossier(world.org_a, State.LISTED)
    recommend_to_miit(listed, year=2026, note="推荐", by=world.municipal)
    remove_from_list(listed, ground=RemovalGround.FALSIFIED_DATA, reason="造假", by=world.municipal)
    services.flag_agency(
        world.agency, district=listed.organisation.district, reason="报告粗糙", by=world.officer_nanshan
    )
    AgencyEvaluation.objects.create(agency=world.agency, organisation=world.org_a, dossier=listed, year=2026)
    RecommendationBatch.objects.create(
        district=listed.organisation.district, cycle_year=2026, submitted_by=world.officer_nanshan, note="推荐函"
    )
    upload = SimpleUploadedFile("report.pdf", MINIMAL_PDF, content_type="application/pdf")
    services.attach_report(make_dossier(world.org_b), uploaded_file=upload, attested=True, by=world.applicant_b)
    return {model: model.objects.order_by("pk").first() for model in FIXED_FIELD}


def admin_url(obj, view, *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk, *args])


def stored(obj):
    return model_to_dict(type(obj)._base_manager.get(pk=obj.pk))


@pytest.mark.parametrize("model", WITH_REVERT, ids=lambda m: m.__name__)
def test_revert_is_refused_in_the_admin_for_a_superuser(client, records, superuser, model):
    obj = records[model]
    before, versions = stored(obj), obj.history.count()
    version = obj.history.earliest()
    url = admin_url(obj, "simple_history", version.history_id)
    opts = obj._meta
    assert url == f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/history/{version.history_id}/"
    client.force_login(superuser)

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["revert_disabled"] is True

    field, value = FIXED_FIELD[model]
    data = {k: v for k, v in model_to_dict(version.instance).items() if v is not None and not isinstance(v, FieldFile)}
    data[field] = value
    response = client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == admin_url(obj, "history")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [str(REVERT_REFUSED)]
    assert stored(obj) == before
    assert obj.history.count() == versions


@pytest.mark.parametrize("model", WITH_ADMIN, ids=lambda m: m.__name__)
def test_change_and_delete_are_refused_in_the_admin_for_a_superuser(client, records, superuser, model):
    obj = records[model]
    before = stored(obj)
    client.force_login(superuser)
    field, value = FIXED_FIELD[model]

    change = client.post(admin_url(obj, "change"), {field: value})
    delete = client.post(admin_url(obj, "delete"), {"post": "yes"})

    # A removal keeps "reported to MIIT" editable: the screen saves that field alone; the decision stays.
    assert change.status_code == (302 if model is Removal else 403)
    assert delete.status_code == 403
    assert stored(obj) == before
    model_admin = client.get(admin_url(obj, "change")).context["adminform"].model_admin
    assert model_admin.has_delete_permission(None, obj) is False


@pytest.mark.parametrize("model", list(FIXED_FIELD), ids=lambda m: m.__name__)
def test_the_model_refuses_change_and_delete_through_the_orm(records, model):
    obj = records[model]
    before = stored(obj)
    field, value = FIXED_FIELD[model]

    setattr(obj, field, value)
    with pytest.raises(PermissionDenied):
        obj.save()
    with pytest.raises(PermissionDenied):
        obj.delete()
    with pytest.raises(PermissionDenied):
        model.objects.filter(pk=obj.pk).update(**{field: value})
    with pytest.raises(PermissionDenied):
        model.objects.filter(pk=obj.pk).delete()
    with pytest.raises(PermissionDenied):
        model.objects.bulk_update([obj], [field])

    assert stored(obj) == before


def test_an_exclusion_is_lifted_by_city_staff_and_nothing_else_changes(world, records):
    declaration = ExclusionDeclaration.objects.get(condition=ExclusionCondition.REMOVED_FROM_LIST, applies=True)

    lifted = services.lift_exclusion(declaration, by=world.municipal, reason="复核后撤销")

    assert lifted.lifted_by == world.municipal
    lifted.lift_reason, lifted.evidence = "改写", TAMPERED
    with pytest.raises(PermissionDenied):
        lifted.save()
    assert ExclusionDeclaration.objects.get(pk=declaration.pk).evidence == declaration.evidence


def test_a_removal_records_its_report_to_miit_and_keeps_the_decision(client, records, superuser):
    removal = records[Removal]
    client.force_login(superuser)

    response = client.post(admin_url(removal, "change"), {"reported_to_miit": "on", "reason": TAMPERED})

    assert response.status_code == 302
    removal.refresh_from_db()
    assert (removal.reported_to_miit, removal.reason) == (True, "造假")
    Removal.objects.filter(pk=removal.pk).update(reported_to_miit=False)
    removal.refresh_from_db()
    assert removal.reported_to_miit is False


def test_a_published_list_keeps_its_entries_as_published(records):
    published = records[PublishedList]
    assert [e["rank"] for e in published.entries] == [1]

    published.entries = [{"rank": 1, "name": TAMPERED}]
    with pytest.raises(PermissionDenied):
        published.save(update_fields=["entries"])
    with pytest.raises(PermissionDenied):
        PublishedList.objects.filter(pk=published.pk).update(entries=[])


def test_new_rows_are_still_written(world, records):
    before = ExclusionDeclaration.objects.count()

    services.record_exclusion(
        world.org_b,
        condition=ExclusionCondition.DISHONEST_DEBTOR,
        event_date=datetime.date(2026, 1, 5),
        evidence="失信被执行人名单",
        by=world.municipal,
    )

    assert ExclusionDeclaration.objects.count() == before + 1
