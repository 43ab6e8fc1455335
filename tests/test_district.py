"""The district officer's pool, queue and recommendation batch."""

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from applications import services
from applications.credit_code import example_code
from applications.models import Dossier, Kind, Organisation, PoolRequest, State
from reviews import recommendation
from tests.conftest import at, checked, make_dossier
from tests.factories import OrganisationFactory, declare_eligible, district

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring")]


def xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("pool.xlsx", buffer.getvalue())


def test_bulk_add_reports_every_row(client, world):
    known = OrganisationFactory(district=district("nanshan"))
    elsewhere = OrganisationFactory(district=district("futian"))
    new_code = example_code(4242)
    sheet = xlsx([
        ["统一社会信用代码", "单位名称"],
        [known.credit_code.lower(), ""],
        [new_code, "深圳市新入库科技有限公司"],
        ["914403001922038217", "校验码错误"],
        [elsewhere.credit_code, ""],
        [example_code(4343), ""],
    ])  # fmt: skip
    client.force_login(world.officer_nanshan)
    data = {"bulk-sheet": sheet, "bulk-kind": "factory", "bulk-cycle_year": "2027"}
    response = client.post(reverse("district_pool"), data)
    results = [(r.line, r.ok) for r in response.context["results"]]
    assert results == [(2, True), (3, True), (4, False), (5, False), (6, False)]
    messages = [r.message for r in response.context["results"]]
    assert "校验码错误" in messages[2]
    assert messages[3] == "该单位属于福田区。"
    assert Organisation.objects.get(credit_code=new_code).district == district("nanshan")
    assert set(Dossier.objects.filter(cycle_year=2027).values_list("organisation", flat=True)) == {
        known.pk,
        Organisation.objects.get(credit_code=new_code).pk,
    }


def test_a_file_that_is_not_excel_is_refused_clearly(client, world):
    client.force_login(world.officer_nanshan)
    data = {
        "bulk-sheet": SimpleUploadedFile("pool.xlsx", b"not a workbook"),
        "bulk-kind": "factory",
        "bulk-cycle_year": "2027",
    }
    response = client.post(reverse("district_pool"), data)
    assert "该文件不是Excel工作簿（.xlsx）。" in response.content.decode()


def test_applicant_request_is_accepted_into_the_pool(client, world):
    request = services.request_pool(world.org_a, kind=Kind.FACTORY, cycle_year=2027, by=world.applicant_a)
    client.force_login(world.officer_futian)
    assert client.post(reverse("decide_pool_request", args=[request.pk, "accept"])).status_code == 404
    client.force_login(world.officer_nanshan)
    client.post(reverse("decide_pool_request", args=[request.pk, "accept"]), {"reason": "同意"})
    request.refresh_from_db()
    assert request.status == PoolRequest.Status.ACCEPTED
    assert request.dossier.state == State.POOLED
    assert request.dossier.transitions.get().actor == world.officer_nanshan


def test_declining_needs_a_reason(client, world):
    request = services.request_pool(world.org_a, kind=Kind.FACTORY, cycle_year=2027, by=world.applicant_a)
    client.force_login(world.officer_nanshan)
    client.post(reverse("decide_pool_request", args=[request.pk, "decline"]), {"reason": ""})
    request.refresh_from_db()
    assert request.status == PoolRequest.Status.PENDING


def test_queue_filters_and_exports_what_it_shows(client, world):
    make_dossier(world.org_a, State.SUBMITTED, year=2027, agency=world.agency)
    other = OrganisationFactory(district=district("nanshan"))
    declare_eligible(other)
    make_dossier(other, State.SUBMITTED, year=2027)
    client.force_login(world.officer_nanshan)
    response = client.get(reverse("district_queue"), {"agency": world.agency.pk})
    assert [d.organisation for d in response.context["page"]] == [world.org_a]
    export = client.get(reverse("district_queue"), {"agency": world.agency.pk, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["单位名称", world.org_a.name]


def test_list_pages_run_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.officer_nanshan)
    make_dossier(world.org_a, State.SUBMITTED, year=2027, agency=world.agency)
    pages = [reverse("district_queue"), reverse("district_pool"), reverse("district_batch"), reverse("home")]
    baseline = {}
    for url in pages:
        with django_assert_max_num_queries(20) as captured:
            client.get(url)
        baseline[url] = len(captured.captured_queries)
    for _ in range(12):
        org = OrganisationFactory(district=district("nanshan"))
        declare_eligible(org)
        make_dossier(org, State.SUBMITTED, year=2027, agency=world.agency)
        make_dossier(org, year=2028)
    for url in pages:
        with django_assert_max_num_queries(baseline[url]):
            response = client.get(url)
        assert response.status_code == 200


def test_batch_recommends_every_chosen_dossier(world):
    a = checked(make_dossier(world.org_a, State.SUBMITTED, year=2027))
    batch = recommendation.recommend_batch(
        district=district("nanshan"),
        cycle_year=2027,
        dossiers=[a],
        by=world.officer_nanshan,
        now=at(2027, 5, 30, 23, 59),
    )
    a.refresh_from_db()
    assert (a.state, a.recommendation_batch, a.level) == (State.RECOMMENDED, batch, "district")


def test_batch_refused_on_31_may_with_article_15(world):
    a = make_dossier(world.org_a, State.SUBMITTED, year=2027)
    with pytest.raises(services.TransitionRefused) as refused:
        recommendation.recommend_batch(
            district=district("nanshan"),
            cycle_year=2027,
            dossiers=[a],
            by=world.officer_nanshan,
            now=at(2027, 5, 31, 0, 0),
        )
    assert refused.value.message == "第十五条：区级推荐截止日期为5月30日（2027-05-30），已过截止时间。"
    a.refresh_from_db()
    assert a.state == State.SUBMITTED


def test_batch_is_all_or_nothing(world):
    good = checked(make_dossier(world.org_a, State.SUBMITTED, year=2027))
    bad_org = OrganisationFactory(district=district("nanshan"))
    declare_eligible(bad_org)
    bad = checked(make_dossier(bad_org, State.SUBMITTED, year=2027))
    from applications.models import ExclusionDeclaration

    ExclusionDeclaration.objects.create(organisation=bad_org, condition=6, applies=True)
    with pytest.raises(services.TransitionRefused) as refused:
        recommendation.recommend_batch(
            district=district("nanshan"), cycle_year=2027, dossiers=[good, bad], by=world.officer_nanshan
        )
    assert refused.value.message.startswith(bad_org.name + "：第十二条第（六）项")
    good.refresh_from_db()
    assert good.state == State.SUBMITTED


def test_batch_page_cannot_recommend_another_districts_dossier(client, world):
    futian = make_dossier(world.org_b, State.SUBMITTED, year=2027)
    client.force_login(world.officer_nanshan)
    response = client.post(reverse("district_batch") + "?year=2027", {"dossiers": [futian.pk]}, follow=True)
    assert "请至少选择一份推荐档案。" in response.content.decode()
    futian.refresh_from_db()
    assert futian.state == State.SUBMITTED


@pytest.mark.parametrize("name", ["district_pool", "district_queue", "district_batch"])
def test_district_pages_are_not_for_other_roles(client, world, name):
    client.force_login(world.applicant_a)
    assert client.get(reverse(name)).status_code == 404


def test_search_finds_only_the_officers_district(client, world):
    client.force_login(world.officer_nanshan)
    found = client.get(reverse("search_organisations"), {"q": "深圳市"}, HTTP_HX_REQUEST="true").context["found"]
    assert list(found) == [world.org_a]
    by_code = client.get(reverse("search_organisations"), {"q": world.org_a.credit_code[:10].lower()}).context["found"]
    assert list(by_code) == [world.org_a]


def test_an_unchecked_dossier_cannot_enter_a_batch_and_the_page_names_it(client, world):
    """第十五条: the district recommends only what it has checked; the page says which are not."""
    unchecked = make_dossier(world.org_a, State.SUBMITTED, year=2027)
    with pytest.raises(services.TransitionRefused) as refused:
        recommendation.recommend_batch(
            district=district("nanshan"), cycle_year=2027, dossiers=[unchecked], by=world.officer_nanshan
        )
    assert (
        refused.value.message == f"{world.org_a.name}：第十五条：区工信部门尚未将该档案标记为已核查，请核查后再推荐。"
    )
    with time_machine.travel(at(2027, 5, 1), tick=False):
        client.force_login(world.officer_nanshan)
        page = client.get(reverse("district_batch") + "?year=2027").content.decode()
    assert "1份已提交的档案尚未标记为已核查" in page
    assert f'value="{unchecked.pk}" data-kind="factory" id="pick-{unchecked.pk}" disabled' in page
    assert "将__N__家单位推荐至市局？推荐后不可撤回（第十五条）。" in page
    unchecked.refresh_from_db()
    assert unchecked.state == State.SUBMITTED
