"""第十八条, 第二十一条, 第二十二条: a removed unit leaves every public list at once, whatever its level.

A national unit counts on the municipal list (第十八条); once the city removes it (here for a major
accident, 第二十二条) it must not stay on the public list, the CSV, the JSON or the dashboards as 国家级.
"""

import pytest
from django.urls import reverse

from applications.models import Kind, Level, RemovalGround, State
from registry import national_list
from registry.services import remove_from_list
from tests.conftest import make_dossier
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def national_unit(world):
    """A factory listed here and then put on MIIT's 2026 national list (level national, 第十八条)."""
    listed = make_dossier(world.org_a, State.LISTED)
    national_list.apply_national_listing(
        year=2026, kind=Kind.FACTORY, organisation=world.org_a, name=world.org_a.name, region="深圳", by=None
    )
    listed.refresh_from_db()
    assert listed.level == Level.NATIONAL
    return listed


def public_names(client, **filters):
    rows = client.get(reverse("public_lists"), {"format": "json", **filters}).json()["items"]
    return [(r["name"], r["level"]) for r in rows]


def test_a_national_unit_removed_for_a_major_accident_leaves_the_public_list_csv_and_json(client, world):
    unit = national_unit(world)
    assert public_names(client) == [(world.org_a.name, "national")]

    remove_from_list(unit, ground=RemovalGround.MAJOR_ACCIDENT, reason="发生重大生产安全事故", by=world.municipal)

    assert public_names(client) == []
    assert public_names(client, level="national") == []
    csv = b"".join(client.get(reverse("public_lists"), {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert csv.splitlines() == ["year,rank,name,district,kind,kind_label,level,listed_on,level_label,list_title"]
    page = client.get(reverse("public_lists"))
    assert page.context["rows"] == []
    assert world.org_a.name not in page.content.decode()


def test_a_removed_national_unit_is_not_counted_on_the_dashboards(client, world):
    unit = national_unit(world)
    remove_from_list(unit, ground=RemovalGround.MAJOR_ACCIDENT, reason="发生重大生产安全事故", by=world.municipal)

    for user in (world.municipal, world.officer_nanshan):
        client.force_login(user)
        page = client.get(reverse("dashboard"))
        table = {district.name: values for district, values in page.context["table"]}
        assert sum(table["南山区"]) == 0


def test_a_removed_municipal_unit_leaves_the_list_while_a_listed_one_stays(client, world):
    removed = make_dossier(world.org_a, State.LISTED)
    make_dossier(world.org_b, State.LISTED)

    remove_from_list(removed, ground=RemovalGround.FALSIFIED_DATA, reason="申报数据造假", by=world.municipal)

    assert public_names(client) == [(world.org_b.name, "municipal")]


def test_a_unit_only_on_the_national_list_leaves_the_public_list_when_removed(client, world):
    org = OrganisationFactory(name="深圳市国家级直报制造有限公司")
    national_list.apply_national_listing(
        year=2026, kind=Kind.FACTORY, organisation=org, name=org.name, region="深圳", by=world.municipal
    )
    assert public_names(client) == [(org.name, "national")]

    remove_from_list(
        org.dossiers.get(), ground=RemovalGround.MAJOR_ACCIDENT, reason="发生重大生产安全事故", by=world.municipal
    )

    assert public_names(client) == []


def test_listings_imported_before_the_rule_get_their_dossier_from_the_migration(client, world):
    """第十八条: a national listing stored without a dossier (older imports) gets one, listed and national."""
    import importlib

    from django.apps import apps

    from registry.models import NationalListing

    org = OrganisationFactory(name="深圳市旧导入国家级工厂有限公司")
    NationalListing.objects.create(year=2025, kind=Kind.FACTORY, organisation=org, name_in_list=org.name)
    assert public_names(client) == []
    migration = importlib.import_module("registry.migrations.0006_national_listings_get_dossiers")
    migration.give_dossiers(apps, None)
    migration.give_dossiers(apps, None)  # a second run adds nothing
    dossier = org.dossiers.get()
    assert (dossier.state, dossier.level, dossier.cycle_year) == (State.LISTED, Level.NATIONAL, 2025)
    assert public_names(client) == [(org.name, "national")]
