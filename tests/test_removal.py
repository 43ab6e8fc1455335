"""Removals (第二十一条, 第二十二条): immediate, ranks close up, 第十二条第（三）项 for 3 years."""

import pytest

from applications import services
from applications.models import Kind, RemovalGround, State
from registry.services import remove_from_list
from tests.conftest import at, make_dossier
from tests.factories import OrganisationFactory, declare_eligible

pytestmark = pytest.mark.django_db


def listed_units(world, n):
    from registry.models import PublishedList
    from reviews.models import PublicityBatch

    batch = PublicityBatch.objects.create(
        year=2026,
        title="t",
        starts_on=at(2026, 8, 31).date(),
        ends_on=at(2026, 9, 4).date(),
        contact="c",
        created_by=world.municipal,
    )
    published = PublishedList.objects.create(
        year=2026, title="名单", publicity_batch=batch, published_by=world.municipal
    )
    units = []
    for rank in range(1, n + 1):
        org = OrganisationFactory()
        declare_eligible(org)
        unit = make_dossier(org, State.LISTED)
        type(unit).objects.filter(pk=unit.pk).update(rank=rank, published_list=published)
        units.append(type(unit).objects.get(pk=unit.pk))
    return units


def test_removal_for_an_environmental_incident_closes_up_the_ranks_and_bars_three_years(world):
    first, second, third, fourth = listed_units(world, 4)
    remove_from_list(
        second,
        ground=RemovalGround.ENVIRONMENTAL_INCIDENT,
        reason="Ⅱ级突发环境事件",
        by=world.municipal,
        now=at(2026, 11, 15),
    )
    ranks = [type(u).objects.get(pk=u.pk).rank for u in (first, second, third, fourth)]
    assert ranks == [1, None, 2, 3]
    second.refresh_from_db()
    assert (second.state, second.removal_ground, str(second.removed_on)) == (
        State.REMOVED,
        "environmental_incident",
        "2026-11-15",
    )
    assert third.history.latest().history_change_reason == "rank closed up after a removal"
    with pytest.raises(services.TransitionRefused) as refused:
        services.pool(second.organisation, Kind.FACTORY, 2027, now=at(2027, 1, 10))
    assert refused.value.message.startswith("第十二条第（三）项")
