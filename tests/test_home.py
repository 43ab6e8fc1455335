import datetime

import pytest
from django.urls import reverse

from applications.models import Dossier, State
from tests.conftest import make_dossier
from tests.factories import OrganisationFactory, declare_eligible

pytestmark = pytest.mark.django_db


def test_home_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.municipal)
    for _ in range(3):
        make_dossier(OrganisationFactory())
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("home"))
    for _ in range(20):
        org = OrganisationFactory()
        declare_eligible(org)
        make_dossier(org, State.SUBMITTED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 23


def test_home_shows_state_and_next_deadline(client, world):
    make_dossier(world.org_a, State.SUBMITTED)
    client.force_login(world.applicant_a)
    body = client.get(reverse("home")).content.decode()
    assert "已提交评价报告" in body
    assert "2026-05-30" in body
    assert "区级推荐截止（第十五条）" in body


def test_home_rows_read_only_the_columns_they_show(client, world, no_deferred_loads):
    """Issue 13: the workspace reads a page's rows with ``only=``; a dossier in each state, its deadline branch
    (publicity end, recheck, annual form, recommendation) included, shows without a column read row by row."""
    Dossier.objects.bulk_create(
        [Dossier(organisation=OrganisationFactory(), kind="factory", cycle_year=2026, state=s) for s in State.values]
    )
    Dossier.objects.filter(state=State.IN_PUBLICITY).update(publicity_ends_on=datetime.date(2026, 7, 9))
    Dossier.objects.filter(state=State.LISTED).update(next_recheck_due=datetime.date(2026, 1, 31))
    client.force_login(world.municipal)
    response = client.get(reverse("home"), {"per_page": 25})
    body = response.content.decode()
    assert len(response.context["page"].object_list) == len(State.values)
    assert "2026-07-09" in body and "公示截止（第十七条）" in body
    assert "2026-01-31" in body and "三年复核（第二十一条）" in body
    assert body.count('data-state="') == len(State.values)


def test_dossier_page_shows_the_timeline(client, world):
    dossier = make_dossier(world.org_a, State.RECOMMENDED)
    client.force_login(world.officer_nanshan)
    response = client.get(reverse("dossier_detail", args=[dossier.pk]))
    timeline = [e.transition for e in response.context["timeline"]]
    assert timeline == ["create", "submit", "recommend"]
    assert "推荐至市局 → 区级推荐" in response.content.decode()


def test_interface_switches_to_english(client, world):
    client.force_login(world.applicant_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert "Dossiers" in body
    assert "申报档案" not in body


def test_chinese_is_shown_whatever_the_browser_asks_for(client, world):
    client.force_login(world.applicant_a)
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "申报档案" in body
