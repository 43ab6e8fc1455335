"""Scoring rules of every template kind, and templates frozen once used (issue 10)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from applications import evaluations, scoring
from applications.models import (
    EvaluationTemplate,
    ItemKind,
    State,
    TemplateArea,
    TemplateFrozen,
    TemplateItem,
)
from reviews.models import Round
from tests.conftest import make_dossier

pytestmark = pytest.mark.django_db


def template_of(kind, standard):
    return EvaluationTemplate.objects.get(kind=kind, standard=standard, version=1)


def all_met(template, **overrides):
    """Every requirement met and every figure at its leading value, then ``overrides``."""
    answers = {}
    for item in template.ordered_items():
        if item.kind == ItemKind.QUANTITATIVE:
            answers[item.code] = {"value": item.leading}
        else:
            answers[item.code] = {"met": True}
    answers.update(overrides)
    return answers


@pytest.mark.parametrize(
    ("kind", "standard"),
    [
        ("factory", "GB/T 36132-2018"),
        ("factory", "GB/T 36132-2025"),
        ("park", "绿色工业园区评价要求"),
        ("supply_chain", "绿色供应链管理企业评价指标"),
    ],
)
def test_each_seeded_template_scores_100_when_everything_is_met(kind, standard):
    template = template_of(kind, standard)
    result = scoring.score(template, all_met(template), pass_mark=Decimal(60))
    assert (result.total, result.possible, result.passes) == (Decimal(100), Decimal(100), True)
    assert sum(Decimal(a.earned) for a in result.areas) == Decimal(100)


def test_a_veto_item_fails_whatever_the_points():
    template = template_of("factory", "GB/T 36132-2018")
    result = scoring.score(template, all_met(template, J2={"met": False}), pass_mark=Decimal(60))
    assert result.total == Decimal(100)
    assert result.vetoed == ["J2"]
    assert not result.passes


def test_a_required_item_not_met_scores_nothing_and_fails():
    template = template_of("factory", "GB/T 36132-2018")
    result = scoring.score(template, all_met(template, B1={"met": False}), pass_mark=Decimal(60))
    assert result.total == Decimal(96)  # B1 carries 4 points
    assert result.required_unmet == ["B1"]
    assert not result.passes


def test_optional_items_only_add_points():
    template = template_of("factory", "GB/T 36132-2018")
    result = scoring.score(template, all_met(template, B6={"met": False}, C4={"met": False}), pass_mark=Decimal(90))
    assert result.total == Decimal(95)  # 3 + 2 optional points missing
    assert result.passes


def test_supply_chain_disclosure_items_carry_two_and_a_half_points():
    template = template_of("supply_chain", "绿色供应链管理企业评价指标")
    result = scoring.score(template, all_met(template, DI1={"met": False}))
    assert result.total == Decimal("97.50")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.12", "0.00"),  # worse than the baseline
        ("0.10", "7.20"),  # at the baseline: 60 % of 12 points
        ("0.065", "9.60"),  # half way: 60 % + 40 % × 0.5
        ("0.03", "12.00"),  # at the leading value
        ("0.01", "12.00"),  # beyond it
    ],
)
def test_lower_is_better_indicator_interpolates_between_baseline_and_leading(value, expected):
    template = template_of("factory", "GB/T 36132-2025")  # EN1 单位产品综合能耗: baseline 0.10, leading 0.03
    result = scoring.score(template, {"EN1": {"value": value}})
    energy = next(area for area in result.areas if area.code == "EN")
    assert next(r for r in energy.items if r.code == "EN1").earned == Decimal(expected)


@pytest.mark.parametrize(("value", "expected"), [("4", "0.00"), ("5", "4.80"), ("17.5", "6.40"), ("40", "8.00")])
def test_higher_is_better_indicator_interpolates_the_other_way(value, expected):
    template = template_of("factory", "GB/T 36132-2025")  # EN2 可再生能源使用比例: baseline 5, leading 30, 8 points
    result = scoring.score(template, {"EN2": {"value": value}})
    energy = next(area for area in result.areas if area.code == "EN")
    assert next(r for r in energy.items if r.code == "EN2").earned == Decimal(expected)


def test_baseline_share_is_a_setting_of_the_template():
    assert scoring.quantitative_points(
        Decimal(5),
        points=Decimal(8),
        baseline=Decimal(5),
        leading=Decimal(30),
        direction="higher",
        baseline_share=Decimal(0),
    ) == Decimal(0)


def test_unanswered_items_and_the_pass_mark():
    template = template_of("factory", "GB/T 36132-2025")
    answers = all_met(template)
    del answers["EN1"]
    result = scoring.score(template, answers, pass_mark=Decimal(80))
    assert result.unanswered == ["EN1"]
    assert not result.passes
    answers["EN1"] = {"value": "0.10"}  # 7.2 of 12
    assert scoring.score(template, answers, pass_mark=Decimal(95)).total == Decimal("95.20")
    assert not scoring.score(template, answers, pass_mark=Decimal(96)).passes


def test_a_round_choosing_a_template_freezes_it_against_every_caller():
    template = template_of("factory", "GB/T 36132-2025")
    item = TemplateItem.objects.get(area__template=template, code="EN1")
    item.points = 15
    item.save()  # a draft may change
    Round.objects.create(year=2027, kind="factory", template=template)
    template.refresh_from_db()
    assert template.is_frozen
    item.points = 20
    with pytest.raises(TemplateFrozen):
        item.save()
    with pytest.raises(TemplateFrozen):
        item.delete()
    with pytest.raises(TemplateFrozen):
        TemplateItem.objects.create(area=item.area, code="EN9", text="新增", kind=ItemKind.OPTIONAL, points=1)
    with pytest.raises(TemplateFrozen):
        TemplateArea.objects.create(template=template, code="X", name="新增")
    template.name = "改名"
    with pytest.raises(TemplateFrozen):
        template.save()
    with pytest.raises(PermissionDenied):
        template.delete()


def test_editing_a_frozen_template_makes_a_new_version_and_old_dossiers_keep_theirs(world):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    snapshot = dossier.evaluation_snapshots.get()
    used = snapshot.template
    used.refresh_from_db()
    assert used.is_frozen  # a submission freezes the version it was scored with
    copy = evaluations.new_version(used, by=None)
    assert (copy.version, copy.previous, copy.is_frozen) == (used.version + 1, used, False)
    assert [i.code for i in copy.ordered_items()] == [i.code for i in used.ordered_items()]
    item = TemplateItem.objects.get(area__template=copy, code="EN1")
    item.points = 20
    item.save()
    Round.objects.create(year=2026, kind="factory", template=copy)
    snapshot.refresh_from_db()
    assert snapshot.template == used
    assert evaluations.evaluation_of(dossier).template == used  # the submitted evaluation keeps its version
    assert TemplateItem.objects.get(area__template=used, code="EN1").points == Decimal(12)


def test_a_draft_follows_the_rounds_new_version_keeping_answers_by_code(world):
    dossier = make_dossier(world.org_a, year=2027)
    evaluations.save_item_answers(dossier, answers={"EN2": {"value": Decimal(20), "note": "光伏"}}, by=None)
    old = evaluations.evaluation_of(dossier).template
    copy = evaluations.new_version(old, by=None)
    Round.objects.create(year=2027, kind="factory", template=copy)
    evaluation = evaluations.get_or_start(dossier, by=None)
    assert evaluation.template == copy
    assert evaluations.answers_of(evaluation)["EN2"]["value"] == Decimal(20)


def test_submission_freezes_the_score_with_the_template_version(world):
    Round.objects.create(year=2026, kind="factory", pass_mark=Decimal(60))
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    snapshot = dossier.evaluation_snapshots.get()
    assert snapshot.total == Decimal(100)
    assert snapshot.pass_mark == Decimal(60)
    assert snapshot.score["passes"] is True
    assert snapshot.answers["EN1"]["evidence"][0]["number"] >= 1
    with pytest.raises(PermissionDenied):
        snapshot.save()


def test_the_admin_shows_a_frozen_template_read_only_even_to_a_superuser(admin_client):
    from django.urls import reverse

    template = template_of("park", "绿色工业园区评价要求")
    area = template.areas.get(code="EN")
    url = reverse("admin:applications_templatearea_change", args=[area.pk])
    assert admin_client.get(url).status_code == 200  # a draft is editable
    Round.objects.create(year=2027, kind="park", template=template)
    response = admin_client.post(url, {"code": "EN", "name": "改名", "order": 0})
    assert response.status_code == 403
    area.refresh_from_db()
    assert area.name == "能源利用绿色化"


def test_without_a_rounds_choice_applicants_fill_the_newest_frozen_version_not_a_draft(world):
    template = template_of("factory", "GB/T 36132-2025")
    template.freeze()
    evaluations.new_version(template, by=None)  # v2: a draft staff are still editing
    dossier = make_dossier(world.org_a, year=2027)
    assert evaluations.applicable_template(dossier) == template


def test_submitted_evaluations_and_report_versions_refuse_bulk_changes_too(world):
    from applications.models import EvaluationSnapshot, ReportVersion

    dossier = make_dossier(world.org_a, State.SUBMITTED)
    for model in (EvaluationSnapshot, ReportVersion):
        rows = model.objects.filter(dossier=dossier)
        with pytest.raises(PermissionDenied):
            rows.update(dossier=dossier)
        with pytest.raises(PermissionDenied):
            rows.delete()
