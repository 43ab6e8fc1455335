"""The 自评价报告 PDF (applications/report_pdf.py, 第十四条): its text in MIIT's order, fonts, scope, queries."""

import io
import re
import socket
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from pypdf import PdfReader

from applications import evaluations, examples, report_pdf
from applications.models import ItemAnswer, ItemKind, Kind
from reviews.models import Round
from tests.conftest import at, make_dossier
from tests.factories import declare_eligible

pytestmark = pytest.mark.django_db

INTRODUCTION = "本公司成立于2012年，主要从事智能终端整机及零部件的研发与制造。"
SCOPE = "智能手机、平板电脑整机组装及表面贴装。"
BOUNDARY = "深圳市南山区科技园示例路1号厂区内全部生产及辅助设施。"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """The report reads fonts and files locally; any socket is a bug."""

    def refuse(*args, **kwargs):
        raise AssertionError("the report tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def pages(pdf):
    """The text of each page with white space removed (extraction spaces CJK unevenly)."""
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text):
    return "".join(text.split())


def font_descriptors(pdf):
    """{FontName: embedded} for every /FontDescriptor object in the file (pages, XObjects, anything)."""
    reader = PdfReader(io.BytesIO(pdf))
    found = {}
    for number in range(1, reader.trailer["/Size"]):
        obj = reader.get_object(number)
        if hasattr(obj, "get") and obj.get("/Type") == "/FontDescriptor":
            found[str(obj["/FontName"])] = any(key in obj for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def page_fonts(pdf):
    """/BaseFont names of the fonts the pages use, descendant fonts included."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        table = page["/Resources"].get_object().get("/Font")
        for ref in (table.get_object() if table else {}).values():
            font = ref.get_object()
            names.add(str(font.get("/BaseFont", "")))
            names.update(str(d.get_object().get("/BaseFont", "")) for d in font.get("/DescendantFonts", []))
    return names


@pytest.fixture
def filled(world):
    """org_a's factory dossier with the example answers, evidence, plan and its basic facts filled in."""
    org = world.org_a
    org.introduction, org.production_scope, org.boundary = INTRODUCTION, SCOPE, BOUNDARY
    org.registration_authority = "深圳市市场监督管理局"
    org.save()
    dossier = make_dossier(org)
    evaluation = examples.fill(dossier, shared_evidence=True, now=at(2026, 2, 20))
    evaluation.exclusion_answers["2"] = {
        "applies": True,
        "evidence": "区应急管理局结案证明",
        "event_date": "2022-03-15",
    }
    evaluation.save()
    return dossier


def test_report_prints_the_unit_its_answers_scores_evidence_and_plan(filled, world):
    evaluation = evaluations.evaluation_of(filled)
    result = evaluations.current_score(evaluation, filled)
    items = list(evaluation.template.ordered_items())
    pdf = report_pdf.self_evaluation_report(filled, now=at(2026, 2, 21))
    text = "".join(pages(pdf))

    assert pdf.startswith(b"%PDF-")
    assert world.org_a.name in text
    assert "绿色工厂自评价报告" in text
    assert "广东省深圳市南山区" in text
    assert "2026年2月21日" in text
    assert squeeze(f"{evaluation.template.name}（第{evaluation.template.version}版）") in text
    for label in ("基本信息表", "统一社会信用代码", "单位性质", "法定代表人", "登记机关"):
        assert label in text
    assert world.org_a.credit_code in text
    assert "深圳市市场监督管理局" in text
    assert INTRODUCTION in text and SCOPE in text and BOUNDARY in text
    assert "材料真实性承诺" in text
    assert "法定代表人（签字）" in text and "单位（盖章）" in text
    # Eligibility and Art. 12 answers, with the date of the event.
    assert "营业执照、生产许可证及厂区租赁合同" in text
    assert "2022-03-15区应急管理局结案证明" in text
    # The scored items: code, requirement and answer; a figure with its unit; the total.
    first, veto_text = items[0], squeeze(items[0].text)
    assert first.kind == ItemKind.VETO
    assert f"{first.code}{veto_text}" in text
    required = next(i for i in items if i.kind == ItemKind.REQUIRED)
    assert f"{required.code}{squeeze(required.text)}" in text
    figure = next(i for i in items if i.kind == ItemKind.QUANTITATIVE)
    value = ItemAnswer.objects.get(evaluation=evaluation, item=figure).value
    assert f"{report_pdf.plain(value)}{figure.unit}" in text
    assert f"合计{report_pdf.plain(result.total)}/{report_pdf.plain(result.possible)}" in text
    for area in result.areas:
        if area.possible:
            assert f"小计{report_pdf.plain(area.earned)}/{report_pdf.plain(area.possible)}" in text
    # The evidence index: number, item, file name, date, first 12 hex of the SHA-256.
    index = evaluations.evidence_index(evaluation)
    assert len(index) > 3
    for number, file in index[:3]:
        assert f"{number}{file.item.code}{file.original_name}2026-02-20{file.sha256[:12]}" in text
    assert "证明材料索引" in text
    assert "存在问题及下一步计划" in text
    assert squeeze(evaluation.problems_and_plan) in text
    assert "评价结果" not in text  # the agency's section belongs to commissioned evaluations only


def test_report_follows_miits_order_with_reference_and_fingerprint_on_every_page(filled):
    pdf = report_pdf.self_evaluation_report(filled)
    texts = pages(pdf)
    reference = report_pdf.reference(filled)
    fingerprint = re.search(r"校验码：([0-9a-f]{12})", texts[0]).group(1)

    assert "自评价报告" in texts[0] and "基本信息表" not in texts[0]
    assert texts[1].startswith("基本信息表单位名称")
    assert "材料真实性承诺" in texts[2]
    body = "".join(texts[3:])
    order = [
        "一、基本情况",
        "二、申报条件（第九条）",
        "三、第十二条所列情形",
        "四、评价指标及自评得分",
        "五、证明材料索引",
        "六、存在问题及下一步计划",
    ]
    positions = [body.index(heading) for heading in order]
    assert positions == sorted(positions)
    for number, text in enumerate(texts, 1):
        # The margin boxes: header (reference, title), then footer (fingerprint, page N of M).
        margins = f"申报编号：{reference}绿色工厂自评价报告校验码：{fingerprint}第{number}页共{len(texts)}页"
        assert text.endswith(margins)


def test_fingerprint_is_stable_and_changes_with_an_answer(filled):
    first = report_pdf.self_evaluation_report(filled)
    again = report_pdf.self_evaluation_report(filled)

    def mark(pdf):
        return re.search(r"校验码：([0-9a-f]{12})", pages(pdf)[0]).group(1)

    assert mark(first) == mark(again)
    answer = ItemAnswer.objects.filter(evaluation__dossier=filled, item__kind=ItemKind.QUANTITATIVE).first()
    answer.value += Decimal("0.01")
    answer.save()
    assert mark(report_pdf.self_evaluation_report(filled)) != mark(first)


def test_score_is_set_against_the_rounds_pass_mark(filled):
    Round.objects.create(year=2026, kind="factory", pass_mark=Decimal(60))
    text = "".join(pages(report_pdf.self_evaluation_report(filled)))

    assert "本年度通过分数线：60分" in text
    assert "基本要求和必选项均符合，自评价得分达到本年度分数线（60分）" in text


def test_every_font_is_embedded_and_a_cjk_font_is_used(filled):
    pdf = report_pdf.self_evaluation_report(filled)
    descriptors = font_descriptors(pdf)

    assert descriptors
    assert all(descriptors.values()), [name for name, embedded in descriptors.items() if not embedded]
    cjk = [name for name in page_fonts(pdf) if "NotoSansCJKSC" in name.replace("-", "")]
    assert cjk and all(descriptors.get(name) for name in cjk)


def test_agency_mode_prints_its_result_highlights_and_pledge(world):
    dossier = make_dossier(world.org_a, agency=world.agency)
    evaluation = examples.fill(dossier, shared_evidence=True)
    text = "".join(pages(report_pdf.self_evaluation_report(dossier)))

    assert "委托第三方机构评价" in text
    assert "七、第三方机构评价" in text
    assert world.agency.name in text and world.agency.credit_code in text
    assert "评价结果" in text
    assert f"基本要求符合评价得分{report_pdf.plain(evaluation.agency_score)}分" in text
    assert squeeze(evaluation.agency_highlights) in text
    assert "评价机构承诺" in text
    assert "机构负责人（签字）" in text and "机构（盖章）" in text


def test_agency_result_not_met_reads_not_met(world):
    dossier = make_dossier(world.org_a, agency=world.agency)
    evaluation = examples.fill(dossier, shared_evidence=True)
    evaluation.agency_basic_met = False
    evaluation.save()

    assert "基本要求不符合" in "".join(pages(report_pdf.self_evaluation_report(dossier)))


def test_a_dossier_without_an_evaluation_still_renders_blank(world):
    dossier = make_dossier(world.org_b)
    text = "".join(pages(report_pdf.self_evaluation_report(dossier)))

    assert world.org_b.name in text
    assert "未作答" in text
    assert "（尚未上传证明材料。）" in text
    assert not evaluations.evaluation_of(dossier)  # reading the report creates nothing


def test_view_serves_the_pdf_as_an_attachment_with_a_chinese_name(client, filled, world, django_assert_max_num_queries):
    client.force_login(world.applicant_a)
    url = reverse("self_evaluation_report", args=[filled.pk])

    with django_assert_max_num_queries(14):
        response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    name = f"{world.org_a.name}-绿色工厂自评价报告-2026.pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    assert world.org_a.name in "".join(pages(response.content))


@pytest.mark.parametrize("persona", ["officer_nanshan", "municipal"])
def test_reviewers_in_scope_get_the_report(client, filled, world, persona):
    client.force_login(getattr(world, persona))

    assert client.get(reverse("self_evaluation_report", args=[filled.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["applicant_b", "officer_futian", "agency_user"])
def test_users_outside_scope_get_404(client, filled, world, persona):
    client.force_login(getattr(world, persona))

    assert client.get(reverse("self_evaluation_report", args=[filled.pk])).status_code == 404


def test_anonymous_user_is_sent_to_log_in(client, filled):
    response = client.get(reverse("self_evaluation_report", args=[filled.pk]))

    assert response.status_code == 302


def test_park_report_is_titled_for_parks_and_prints_the_eligibility_figure(world):
    declare_eligible(world.org_a, Kind.PARK)
    dossier = make_dossier(world.org_a, kind=Kind.PARK)
    examples.fill(dossier, shared_evidence=True)
    text = "".join(pages(report_pdf.self_evaluation_report(dossier)))

    assert "绿色工业园区自评价报告" in text
    assert "二、申报条件（第十条）" in text
    assert "工业增加值占比（%）：72.5" in text
