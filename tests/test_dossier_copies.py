"""Issue 13: the dossier's copies of its organisation's name and district (``Dossier.organisation_name``).

The lists sort by the copied name and the district officers' scope filters by the copied district, so every
write path must keep them in step with the organisation: a dossier's own save, ``bulk_create``, the bulk
imports' ``applications.bulk.insert``, and the organisation's save (a rename, a move to another district).
``verify_audit`` reports a copy changed behind the application.
"""

import pytest
from django.test import Client

from accounts import scoping
from applications import bulk, services, transition_chain
from applications.models import Dossier, Kind
from tests.factories import OrganisationFactory, district

pytestmark = pytest.mark.django_db


def copies(dossier):
    return Dossier.objects.values_list("organisation_name", "district__code").get(pk=dossier.pk)


def test_a_new_dossier_copies_its_organisations_name_and_district(world):
    dossier = services.pool(world.org_a, Kind.FACTORY, 2026)
    assert copies(dossier) == ("深圳市甲绿色制造有限公司", "nanshan")


def test_bulk_create_and_the_bulk_insert_fill_the_copies(world):
    Dossier.objects.bulk_create([Dossier(organisation_id=world.org_a.pk, kind=Kind.PARK, cycle_year=2026)])
    bulk.insert(Dossier, [Dossier(organisation=world.org_b, kind=Kind.PARK, cycle_year=2026)])
    rows = dict(Dossier.objects.filter(kind=Kind.PARK).values_list("organisation_id", "organisation_name"))
    assert rows == {world.org_a.pk: world.org_a.name, world.org_b.pk: world.org_b.name}
    assert set(Dossier.objects.values_list("district_id", flat=True)) == {
        world.org_a.district_id,
        world.org_b.district_id,
    }


def test_a_rename_and_a_move_reach_every_dossier_and_the_scope_follows(world):
    old = services.pool(world.org_a, Kind.FACTORY, 2025)
    new = services.pool(world.org_a, Kind.FACTORY, 2026)
    assert scoping.dossiers_for(world.officer_nanshan).filter(pk__in=[old.pk, new.pk]).count() == 2

    world.org_a.name = "深圳市甲绿色智造有限公司"
    world.org_a.district = district("futian")
    world.org_a.save()

    assert copies(old) == copies(new) == ("深圳市甲绿色智造有限公司", "futian")
    assert not scoping.dossiers_for(world.officer_nanshan).filter(pk__in=[old.pk, new.pk]).exists()
    assert scoping.dossiers_for(world.officer_futian).filter(pk__in=[old.pk, new.pk]).count() == 2
    # and through the pages: the officer who lost the unit gets a 404, the new district sees it
    client = Client()
    client.force_login(world.officer_nanshan)
    assert client.get(f"/dossiers/{new.pk}/").status_code == 404
    client.force_login(world.officer_futian)
    assert client.get(f"/dossiers/{new.pk}/").status_code == 200


def test_the_lists_sort_by_the_copied_name_and_a_rename_moves_the_unit(world):
    a = OrganisationFactory(name="深圳市A新材料有限公司", district=district("nanshan"))
    b = OrganisationFactory(name="深圳市B新材料有限公司", district=district("nanshan"))
    pair = [services.pool(a, Kind.FACTORY, 2026).pk, services.pool(b, Kind.FACTORY, 2026).pk]

    def names():
        rows = Dossier.objects.filter(pk__in=pair).order_by(*Dossier.LIST_ORDER)
        return [d.organisation.name for d in rows]

    assert names() == ["深圳市A新材料有限公司", "深圳市B新材料有限公司"]
    a.name = "深圳市C新材料有限公司"
    a.save()
    assert names() == ["深圳市B新材料有限公司", "深圳市C新材料有限公司"]


def test_verify_audit_reports_a_copy_changed_behind_the_application(world):
    dossier = services.pool(world.org_a, Kind.FACTORY, 2026)
    assert transition_chain.verify()[1] == []
    Dossier.objects.filter(pk=dossier.pk).update(district=district("futian"))
    problems = transition_chain.verify()[1]
    assert [(p.kind, p.dossier_id) for p in problems] == [("copy", dossier.pk)]


def test_the_workspace_and_the_queues_sort_by_the_copy_unless_a_filter_chose_another_order(world):
    from applications.filters import DossierFilter
    from reviews.forms import QueueFilter

    rows = Dossier.objects.all()
    assert tuple(DossierFilter({}, queryset=rows).qs.query.order_by) == Dossier.LIST_ORDER
    assert tuple(QueueFilter({}, queryset=rows).qs.query.order_by) == Dossier.LIST_ORDER
    assert tuple(QueueFilter({"order": "name"}, queryset=rows).qs.query.order_by) == ("organisation_name", "pk")
    assert tuple(QueueFilter({"order": "newest"}, queryset=rows).qs.query.order_by) == ("-submitted_at", "pk")


# The annual forms' copy of the name (``AnnualReport.organisation_name``): the year's list sorts by it.


def form_names(year=2026):
    from applications.models import AnnualReport

    return list(AnnualReport.objects.filter(year=year).order_by("pk").values_list("organisation_name", flat=True))


def test_every_way_a_form_is_written_copies_the_name(world):
    from applications import annual
    from applications.models import AnnualReport

    first = services.pool(world.org_a, Kind.FACTORY, 2024)
    second = services.pool(world.org_b, Kind.FACTORY, 2024)
    third = services.pool(world.org_a, Kind.PARK, 2024)
    annual.open_report(Dossier.objects.get(pk=first.pk), 2026)  # the applicant's form page
    annual.open_reports([second.pk], 2026)  # the 1 March sweep's chunk (bulk_create)
    bulk.insert(AnnualReport, [AnnualReport(dossier_id=third.pk, year=2026, due_on="2026-03-15")])
    assert form_names() == [world.org_a.name, world.org_b.name, world.org_a.name]


def test_a_rename_reaches_the_forms_and_moves_the_unit_in_the_years_list(world):
    from applications import annual

    a = OrganisationFactory(name="深圳市A新材料有限公司", district=district("nanshan"))
    b = OrganisationFactory(name="深圳市B新材料有限公司", district=district("nanshan"))
    for organisation in (a, b):
        annual.open_report(services.pool(organisation, Kind.FACTORY, 2024), 2026)
    client = Client()
    client.force_login(world.officer_nanshan)

    def listed():
        page = client.get("/annual/?year=2026").content.decode()
        return [name for name in (a.name, b.name) if name in page], page.index(b.name) < page.index(a.name)

    assert listed() == ([a.name, b.name], False)
    a.name = "深圳市C新材料有限公司"
    a.save()
    assert form_names() == ["深圳市C新材料有限公司", "深圳市B新材料有限公司"]
    assert listed() == ([a.name, b.name], True)


def test_verify_audit_reports_a_forms_copy_changed_behind_the_application(world):
    from applications import annual
    from applications.models import AnnualReport

    dossier = services.pool(world.org_a, Kind.FACTORY, 2024)
    annual.open_report(dossier, 2026)
    assert transition_chain.verify()[1] == []
    AnnualReport.objects.filter(dossier=dossier).update(organisation_name="改名未经平台")
    problems = transition_chain.verify()[1]
    assert [(p.kind, p.dossier_id) for p in problems] == [("copy", dossier.pk)]
    assert "annual form" in problems[0].detail
