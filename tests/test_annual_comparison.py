"""Annual forms use the evaluation's quantitative indicators, so figures compare year on year and with the
evaluation (issue 10)."""

import pytest
from django.urls import reverse

from applications import annual, evaluations
from applications.models import State
from tests.conftest import make_dossier

pytestmark = pytest.mark.django_db

NO_EXCLUSIONS = {str(n): {"applies": False, "evidence": "无"} for n in range(1, 7)}


def test_annual_indicators_are_the_templates_and_compare_with_last_year_and_the_evaluation(client, world):
    listed = make_dossier(world.org_a, State.LISTED)  # evaluated in 2026 with every figure at its leading value
    template = evaluations.evaluation_of(listed).template
    indicator_set = annual.indicator_set_from_template(2027, template, totals=[("output", "工业总产值", "万元", True)])
    codes = list(indicator_set.indicators.values_list("code", flat=True))
    assert codes[:3] == ["EN1", "EN2", "EN3"] and codes[-1] == "output"
    en1 = indicator_set.indicators.get(code="EN1")
    assert (en1.name, en1.unit, en1.higher_is_better) == ("单位产品综合能耗", "tce/万元", False)
    values = {code: "1" for code in codes}
    first = annual.open_report(listed, 2027)
    annual.submit_report(first, values=values | {"EN1": "0.040"}, compliance=NO_EXCLUSIONS, changes=[],
                         by=world.applicant_a)  # fmt: skip
    second = annual.open_report(listed, 2028)
    second = annual.submit_report(second, values=values | {"EN1": "0.050"}, compliance=NO_EXCLUSIONS, changes=[],
                                  by=world.applicant_a)  # fmt: skip
    row = next(r for r in annual.comparison_rows(second) if r["name"] == "单位产品综合能耗")
    assert (row["value"], row["previous"], str(row["evaluation"])) == ("0.050", "0.040", "0.0300")
    assert row["flagged"]  # 25 % worse than last year, beyond the 10 % threshold
    client.force_login(world.officer_nanshan)
    page = client.get(reverse("annual_detail", args=[second.pk])).content.decode()
    assert 'data-testid="indicator-comparison"' in page
    assert "0.0300" in page and "0.040" in page
