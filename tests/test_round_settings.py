"""Issue 10: city staff set each round's template, pass mark and third-party rule on portal screens; choosing a
template freezes it, and a dossier submitted with one version keeps it when the round moves to the next."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from applications import evaluations
from applications.models import EvaluationSnapshot, EvaluationTemplate, Kind, State
from reviews.models import Round
from tests.conftest import make_dossier
from tests.test_template_editor import editor_data, item_prefix, small_template

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def round_data(**changes):
    data = {
        "year": "2026",
        "kind": Kind.FACTORY,
        "is_open": "on",
        "template": "",
        "pass_mark": "",
        "select_count": "10",
        "aggregation": Round.Aggregation.MEAN,
        "score_visibility": Round.Visibility.AFTER_OWN,
        "scoring_deadline": "",
        "objection_contact": "市工业和信息化局节能处，0755-88100000",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_non_city_roles_get_404(client, world):
    review_round = Round.objects.create(year=2026, kind=Kind.FACTORY)
    urls = [reverse("rounds"), reverse("round_new"), reverse("round_edit", args=[review_round.pk])]
    for user in (world.applicant_a, world.officer_nanshan, world.expert, world.agency_user):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
            assert client.post(url, round_data(year="2030")).status_code == 404, (user.username, url)
    assert not Round.objects.filter(year=2030).exists()
    client.force_login(world.municipal)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_list_shows_each_rounds_settings(client, world, django_assert_max_num_queries):
    template = small_template()
    Round.objects.create(year=2026, kind=Kind.FACTORY, template=template, pass_mark=Decimal(8), select_count=12)
    Round.objects.create(year=2026, kind=Kind.PARK, third_party_required=True, is_open=False)
    english(client, world.municipal)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("rounds")).content.decode()
    assert "测试模板 v1" in html
    assert reverse("standard_detail", args=[template.pk]) in html
    assert "8.00" in html


def test_a_new_round_choosing_a_template_freezes_it(client, world):
    template = small_template()
    english(client, world.municipal)

    response = client.post(
        reverse("round_new"),
        round_data(template=template.pk, pass_mark="8", third_party_required="on", select_count="12"),
    )

    assert response.status_code == 302
    review_round = Round.objects.get(year=2026, kind=Kind.FACTORY)
    assert (review_round.template, review_round.pass_mark, review_round.third_party_required) == (
        template,
        Decimal(8),
        True,
    )
    assert review_round.select_count == 12
    template.refresh_from_db()
    assert template.is_frozen


def test_a_template_of_another_kind_is_refused(client, world):
    evaluations.ensure_templates()
    park_template = EvaluationTemplate.objects.filter(kind=Kind.PARK).first()
    english(client, world.municipal)

    response = client.post(reverse("round_new"), round_data(template=park_template.pk))

    assert response.status_code == 200
    assert "this round is for “Green factory”" in response.content.decode()
    assert not Round.objects.filter(year=2026).exists()
    park_template.refresh_from_db()
    assert not park_template.is_frozen


def test_the_edit_form_offers_only_templates_of_the_rounds_kind_and_keeps_year_and_kind(client, world):
    evaluations.ensure_templates()
    review_round = Round.objects.create(year=2026, kind=Kind.FACTORY)
    english(client, world.municipal)
    form = client.get(reverse("round_edit", args=[review_round.pk])).context["form"]
    assert {t.kind for t in form.fields["template"].queryset} == {Kind.FACTORY}

    park_template = EvaluationTemplate.objects.filter(kind=Kind.PARK).first()
    response = client.post(
        reverse("round_edit", args=[review_round.pk]),
        round_data(year="2031", kind=Kind.PARK, template=park_template.pk),
    )
    assert response.status_code == 200  # not a choice for a factory round
    response = client.post(reverse("round_edit", args=[review_round.pk]), round_data(year="2031", kind=Kind.PARK))
    assert response.status_code == 302
    review_round.refresh_from_db()
    assert (review_round.year, review_round.kind) == (2026, Kind.FACTORY)


def test_a_pass_mark_above_the_templates_maximum_is_refused(client, world):
    template = small_template()  # 10 points
    english(client, world.municipal)
    response = client.post(reverse("round_new"), round_data(template=template.pk, pass_mark="60"))
    assert response.status_code == 200
    assert response.context["form"].errors["pass_mark"] == [
        "The pass mark is above the template's maximum of 10 points."
    ]
    template.refresh_from_db()
    assert not template.is_frozen


def test_a_submitted_dossier_keeps_v1_when_the_round_moves_to_v2(client, world):
    v1 = evaluations.latest_template(Kind.FACTORY)
    english(client, world.municipal)
    assert client.post(reverse("round_new"), round_data(template=v1.pk)).status_code == 302
    review_round = Round.objects.get(year=2026, kind=Kind.FACTORY)

    dossier = make_dossier(world.org_a, State.SUBMITTED)
    first = EvaluationSnapshot.objects.get(dossier=dossier)
    assert first.template == v1

    # v1 is frozen: the city makes v2 on the screens, changes a figure, and the round moves to it.
    response = client.post(reverse("standard_new_version", args=[v1.pk]))
    v2 = EvaluationTemplate.objects.get(kind=v1.kind, standard=v1.standard, version=v1.version + 1)
    assert response.url == reverse("standard_edit", args=[v2.pk])
    code = v2.ordered_items().exclude(kind="veto").first().code
    data = editor_data(v2)
    data[f"{item_prefix(v2, code)}-points"] = "1"
    for ratio in v2.ordered_items().filter(kind="quantitative", unit=""):
        data[f"{item_prefix(v2, ratio.code)}-unit"] = "—"  # the seed leaves the floor-area ratio without a unit
    assert client.post(reverse("standard_edit", args=[v2.pk]), data).status_code == 302
    response = client.post(reverse("round_edit", args=[review_round.pk]), round_data(template=v2.pk))
    assert response.status_code == 302
    review_round.refresh_from_db()
    v2.refresh_from_db()
    assert review_round.template == v2
    assert v2.is_frozen

    dossier.refresh_from_db()
    assert EvaluationSnapshot.objects.get(dossier=dossier) == first
    first.refresh_from_db()
    assert first.template == v1
    evaluation = evaluations.evaluation_of(dossier)
    assert evaluations.template_for(evaluation, dossier) == v1
    assert v1.ordered_items().get(code=code).points != Decimal(1)


def test_a_second_round_for_the_same_year_and_kind_is_refused(client, world):
    Round.objects.create(year=2026, kind=Kind.FACTORY)
    english(client, world.municipal)
    response = client.post(reverse("round_new"), round_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() or response.context["form"].errors
    assert Round.objects.filter(year=2026, kind=Kind.FACTORY).count() == 1
