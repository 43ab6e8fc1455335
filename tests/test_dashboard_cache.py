"""Issue 13: the dashboard's figures are shared for ``DASHBOARD_CACHE_SECONDS`` by everyone of the same scope (the
city, or one district) and year, and the page says when they were counted (``registry.charts.figures``)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from applications.models import State
from registry import charts
from tests.conftest import make_dossier

pytestmark = pytest.mark.django_db


def pipeline_total(figures):
    return sum(figures.pipeline.values())


def test_city_officers_share_one_count_until_it_expires(world, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    first = charts.figures(world.municipal, 2026)
    make_dossier(world.org_a, State.SUBMITTED)

    staff = User.objects.create_user(username="staff1", password="x", role=Role.STAFF)
    shared = charts.figures(staff, 2026)  # another city officer, within the minute
    assert pipeline_total(shared) == pipeline_total(first)
    assert shared.counted_at == first.counted_at

    settings.DASHBOARD_CACHE_SECONDS = 0
    assert pipeline_total(charts.figures(world.municipal, 2026)) == pipeline_total(first) + 1


def test_each_district_and_year_is_counted_on_its_own(world, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    city = charts.figures(world.municipal, 2026)
    make_dossier(world.org_a, State.SUBMITTED)  # a 南山 unit

    nanshan = charts.figures(world.officer_nanshan, 2026)
    assert [d.code for d in nanshan.districts] == ["nanshan"]
    assert pipeline_total(nanshan) == 1
    assert pipeline_total(charts.figures(world.municipal, 2026)) == pipeline_total(city)  # the city's, cached
    assert pipeline_total(charts.figures(world.municipal, 2025)) == 0  # another year: its own count


def test_the_page_says_when_the_figures_were_counted(client, world, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    client.force_login(world.municipal)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    counted = timezone.localtime(response.context["counted_at"])
    assert f"数据统计时间：{counted:%Y-%m-%d %H:%M}" in response.content.decode()
