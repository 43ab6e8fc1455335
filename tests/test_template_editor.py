"""Issue 10: city staff read and edit evaluation templates on portal screens; a used template is frozen and a
change makes a new version."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from applications import evaluations
from applications.models import EvaluationTemplate, ItemKind, Kind, TemplateArea, TemplateFrozen, TemplateItem
from applications.standards_forms import TemplateEditor
from reviews.models import Round

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def small_template(standard="TEST-STD"):
    """A draft with two areas: a veto and a required item, then a lower-is-better indicator."""
    template = EvaluationTemplate.objects.create(kind="factory", standard=standard, name="测试模板")
    basic = TemplateArea.objects.create(template=template, code="A", name="基本要求", order=0)
    energy = TemplateArea.objects.create(template=template, code="B", name="能源低碳化", order=1)
    TemplateItem.objects.create(area=basic, code="A1", text="依法设立", kind=ItemKind.VETO, order=0)
    TemplateItem.objects.create(area=energy, code="B1", text="能源管理体系", kind=ItemKind.REQUIRED, points=4, order=0)
    TemplateItem.objects.create(
        area=energy,
        code="B2",
        text="单位产品综合能耗",
        kind=ItemKind.QUANTITATIVE,
        points=6,
        unit="tce/万元",
        direction="lower",
        baseline=Decimal("0.10"),
        leading=Decimal("0.03"),
        uncertain=True,
        order=1,
    )
    return template


def editor_data(template):
    """What the edit screen posts back unchanged: every field's current value, with the formsets' counters."""
    editor = TemplateEditor(template)
    data = {}
    forms = [editor.settings]
    for formset in [editor.areas, *(items for _area, items in editor.item_sets)]:
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = value
    return data


def item_prefix(template, item_code):
    item = TemplateItem.objects.get(area__template=template, code=item_code)
    area_items = list(item.area.items.order_by("order", "pk"))
    return f"items-{item.area_id}-{area_items.index(item)}"


def extra_prefix(template, area_code):
    area = template.areas.get(code=area_code)
    return f"items-{area.pk}-{area.items.count()}"


def test_non_city_roles_get_404(client, world):
    template = small_template()
    urls = [
        ("get", reverse("standards")),
        ("get", reverse("standard_detail", args=[template.pk])),
        ("get", reverse("standard_edit", args=[template.pk])),
        ("post", reverse("standard_edit", args=[template.pk])),
        ("post", reverse("standard_new_version", args=[template.pk])),
    ]
    for user in (world.applicant_a, world.officer_nanshan, world.expert, world.agency_user):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (user.username, url)
    client.force_login(world.municipal)
    for _method, url in urls[:3]:
        assert client.get(url).status_code == 200, url


def test_list_shows_versions_counts_and_rounds(client, world, django_assert_max_num_queries):
    template = small_template()
    Round.objects.create(year=2026, kind="factory", template=template)
    english(client, world.municipal)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("standards"))
    listed = {t.pk: t for _label, group in response.context["groups"] for t in group}
    row = listed[template.pk]
    assert (row.item_count, row.points_total, row.uncertain_count) == (3, Decimal(10), 1)
    html = response.content.decode()
    assert "2026 · Green factory" in html
    assert "frozen" in html


def test_detail_shows_items_totals_and_why_frozen(client, world):
    template = small_template()
    english(client, world.municipal)
    response = client.get(reverse("standard_detail", args=[template.pk]))
    assert [row["total"] for row in response.context["areas"]] == [Decimal(0), Decimal(10)]
    assert response.context["max_points"] == Decimal(10)
    html = response.content.decode()
    assert 'data-testid="frozen-banner"' not in html
    assert reverse("standard_edit", args=[template.pk]) in html

    Round.objects.create(year=2026, kind="factory", template=template)
    html = client.get(reverse("standard_detail", args=[template.pk])).content.decode()
    assert 'data-testid="frozen-banner"' in html
    assert "Chosen by the round 2026 · Green factory." in html
    assert 'data-testid="new-version"' in html
    assert reverse("standard_edit", args=[template.pk]) not in html


def test_editing_a_draft_saves_settings_areas_and_items(client, world):
    template = small_template()
    english(client, world.municipal)
    data = editor_data(template)
    data["tpl-name"] = "测试模板（修订）"
    data["tpl-baseline_share"] = "0.5"
    data[f"{item_prefix(template, 'B1')}-points"] = "5"
    data[f"{item_prefix(template, 'B2')}-leading"] = "0.02"
    data[f"{item_prefix(template, 'A1')}-DELETE"] = "on"
    new = extra_prefix(template, "B")
    data.update(
        {
            f"{new}-code": "B3",
            f"{new}-kind": ItemKind.OPTIONAL,
            f"{new}-points": "2",
            f"{new}-order": "2",
            f"{new}-text": "可再生能源利用",
            f"{new}-evidence_required": "on",
        }
    )
    data["areas-2-code"] = "C"
    data["areas-2-name"] = "资源高效化"
    data["areas-2-order"] = "2"

    response = client.post(reverse("standard_edit", args=[template.pk]), data)

    assert response.status_code == 302, response.context and response.context["editor"].settings.errors
    template.refresh_from_db()
    assert (template.name, template.baseline_share) == ("测试模板（修订）", Decimal("0.5"))
    items = {item.code: item for item in template.ordered_items()}
    assert sorted(items) == ["B1", "B2", "B3"]
    assert items["B1"].points == Decimal(5)
    assert items["B2"].leading == Decimal("0.02")
    assert (items["B3"].kind, items["B3"].points, items["B3"].area.code) == (ItemKind.OPTIONAL, Decimal(2), "B")
    assert sorted(template.areas.values_list("code", flat=True)) == ["A", "B", "C"]


def test_leading_worse_than_baseline_is_refused_and_nothing_is_saved(client, world):
    template = small_template()
    english(client, world.municipal)
    data = editor_data(template)
    data["tpl-name"] = "不应保存"
    data[f"{item_prefix(template, 'B1')}-points"] = "9"
    # Lower is better for energy per unit: a leading value above the baseline is the wrong way round.
    data[f"{item_prefix(template, 'B2')}-leading"] = "0.20"

    response = client.post(reverse("standard_edit", args=[template.pk]), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "lower is better, so its leading value must be lower than its baseline value (0.1)" in html
    template.refresh_from_db()
    assert template.name == "测试模板"
    assert TemplateItem.objects.get(area__template=template, code="B1").points == Decimal(4)
    assert TemplateItem.objects.get(area__template=template, code="B2").leading == Decimal("0.03")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("unit", "", "needs its unit"),
        ("direction", "", "needs its direction"),
        ("baseline", "", "needs its baseline value"),
        ("points", "-1", "Points cannot be negative."),
    ],
)
def test_incomplete_items_are_refused(client, world, field, value, message):
    template = small_template()
    english(client, world.municipal)
    data = editor_data(template)
    data[f"{item_prefix(template, 'B2')}-{field}"] = value

    response = client.post(reverse("standard_edit", args=[template.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert TemplateItem.objects.get(area__template=template, code="B2").unit == "tce/万元"


def test_item_codes_are_unique_in_the_whole_template_and_the_share_between_0_and_1(client, world):
    template = small_template()
    english(client, world.municipal)
    data = editor_data(template)
    data[f"{item_prefix(template, 'B1')}-code"] = "A1"  # A1 is in another area: the database alone would allow it
    data["tpl-baseline_share"] = "1.5"

    response = client.post(reverse("standard_edit", args=[template.pk]), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Item code A1 is used more than once in this template." in html
    assert "must be between 0 and 1" in html
    assert sorted(i.code for i in template.ordered_items()) == ["A1", "B1", "B2"]
    template.refresh_from_db()
    assert template.baseline_share == Decimal("0.6")


def test_an_area_with_items_is_not_removed(client, world):
    template = small_template()
    english(client, world.municipal)
    data = editor_data(template)
    data["areas-1-DELETE"] = "on"  # area B still has B1 and B2

    response = client.post(reverse("standard_edit", args=[template.pk]), data)

    assert response.status_code == 200
    assert "Area B still has items" in response.content.decode()
    assert template.areas.count() == 2


def test_a_round_choosing_the_template_freezes_it_and_the_edit_screen_refuses(client, world):
    template = small_template()
    data = editor_data(template)
    Round.objects.create(year=2026, kind="factory", template=template)
    template.refresh_from_db()
    assert template.is_frozen
    english(client, world.municipal)

    response = client.get(reverse("standard_edit", args=[template.pk]), follow=True)
    assert response.redirect_chain == [(reverse("standard_detail", args=[template.pk]), 302)]
    assert "This template is frozen" in response.content.decode()

    data["tpl-name"] = "不应保存"
    data[f"{item_prefix(template, 'B1')}-points"] = "9"
    response = client.post(reverse("standard_edit", args=[template.pk]), data)
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "测试模板"
    item = TemplateItem.objects.get(area__template=template, code="B1")
    assert item.points == Decimal(4)

    item.points = Decimal(9)
    with pytest.raises(TemplateFrozen):
        item.save()


def test_a_template_frozen_while_being_edited_is_refused_without_500(client, world):
    template = small_template()
    editor = TemplateEditor(template, editor_data(template) | {"tpl-name": "不应保存"})
    assert editor.is_valid()
    Round.objects.create(year=2026, kind="factory", template=template)  # frozen between check and save

    with pytest.raises(TemplateFrozen):
        editor.save()
    template.refresh_from_db()
    assert template.name == "测试模板"


def test_new_version_copies_areas_and_items_and_is_editable(client, world):
    template = small_template()
    Round.objects.create(year=2026, kind="factory", template=template)
    english(client, world.municipal)

    response = client.post(reverse("standard_new_version", args=[template.pk]))

    copy = EvaluationTemplate.objects.get(kind="factory", standard="TEST-STD", version=2)
    assert response.url == reverse("standard_edit", args=[copy.pk])
    assert (copy.previous, copy.is_frozen, copy.created_by) == (template, False, world.municipal)

    def shape(t):
        return [(i.area.code, i.code, i.kind, i.points, i.baseline, i.leading) for i in t.ordered_items()]

    assert shape(copy) == shape(template)
    assert 'data-testid="previous-version"' in client.get(reverse("standard_detail", args=[copy.pk])).content.decode()

    data = editor_data(copy)
    data[f"{item_prefix(copy, 'B1')}-points"] = "7"
    assert client.post(reverse("standard_edit", args=[copy.pk]), data).status_code == 302
    assert copy.ordered_items().get(code="B1").points == Decimal(7)
    assert template.ordered_items().get(code="B1").points == Decimal(4)

    # A second click opens the existing draft instead of starting a third version.
    response = client.post(reverse("standard_new_version", args=[template.pk]))
    assert response.url == reverse("standard_edit", args=[copy.pk])
    assert EvaluationTemplate.objects.filter(standard="TEST-STD").count() == 2


def test_a_draft_is_not_versioned(client, world):
    template = small_template()
    english(client, world.municipal)
    response = client.post(reverse("standard_new_version", args=[template.pk]))
    assert response.url == reverse("standard_edit", args=[template.pk])
    assert EvaluationTemplate.objects.filter(standard="TEST-STD").count() == 1


def test_seeded_templates_list_for_city_staff(client, world):
    evaluations.ensure_templates()
    english(client, world.municipal)
    response = client.get(reverse("standards"))
    assert [str(label) for label, _group in response.context["groups"]] == [str(kind.label) for kind in Kind]


def test_an_answered_item_of_a_draft_is_not_removed_and_nothing_is_saved(client, world):
    from applications.models import ItemAnswer, SelfEvaluation
    from tests.conftest import make_dossier

    template = small_template()
    evaluation = SelfEvaluation.objects.create(dossier=make_dossier(world.org_a), template=template)
    ItemAnswer.objects.create(evaluation=evaluation, item=template.ordered_items().get(code="B1"), met=True)
    english(client, world.municipal)
    data = editor_data(template)
    data["tpl-name"] = "不应保存"
    data[f"{item_prefix(template, 'A1')}-DELETE"] = "on"
    data[f"{item_prefix(template, 'B1')}-DELETE"] = "on"

    response = client.post(reverse("standard_edit", args=[template.pk]), data)

    assert response.status_code == 200
    assert "Item B1 already has answers in a self-evaluation and cannot be removed." in response.content.decode()
    template.refresh_from_db()
    assert template.name == "测试模板"
    assert sorted(i.code for i in template.ordered_items()) == ["A1", "B1", "B2"]
