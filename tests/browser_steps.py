"""Playwright steps shared by the browser tests: an applicant completes the self-evaluation as a person would."""

from playwright.sync_api import expect

from applications.models import EvaluationTemplate, ItemKind
from tests.confirming import confirm

PLAN = "一、存在问题：余热回收利用不足。\n二、下一步计划：明年完成空压机节能改造，扩建屋顶光伏。"


def save_and_continue(page):
    page.click("[data-testid=save-next]")
    expect(page.locator(".alert-success")).to_be_visible()


def fill_basic(page):
    page.select_option("#id_org-industry", "C39 计算机、通信和其他电子设备制造业")
    page.select_option("#id_org-ownership", "民营")
    page.fill("#id_org-address", "深圳市南山区科技园示例路1号")
    page.fill("#id_org-legal_representative", "张三")
    page.fill("#id_org-contact_name", "李四")
    page.fill("#id_org-contact_phone", "0755-26000000")
    page.check("input[name=evaluation_mode][value=self]")
    save_and_continue(page)


def fill_declarations(page):
    for radio in page.locator("input[type=radio][name^=elig_][value=yes]").all():
        radio.check()
    for evidence in page.locator("textarea[name$=_evidence]").all():
        evidence.fill("营业执照、生产许可证")
    save_and_continue(page)
    for radio in page.locator("input[type=radio][name^=excl_][value=no]").all():
        radio.check()
    for evidence in page.locator("textarea[name$=_evidence]").all():
        evidence.fill("信用中国、信用广东查询结果截图")
    save_and_continue(page)


def fill_items(page, evidence_path, *, share=0.8, screens=None):
    """Every requirement met; every figure ``share`` of the way from baseline to leading; one file per item."""
    template = EvaluationTemplate.objects.filter(kind="factory", standard="GB/T 36132-2025").order_by("-version")[0]
    for item in template.ordered_items():
        row = page.locator(f"#item-{item.code}")
        if item.kind == ItemKind.QUANTITATIVE:
            value = float(item.baseline) + (float(item.leading) - float(item.baseline)) * share
            row.locator(f"input[name=value_{item.code}]").fill(f"{value:.4f}")
        else:
            row.locator(f"input[name=met_{item.code}][value=yes]").check()
        row.locator(f"textarea[name=note_{item.code}]").fill("见证明材料")
        if item.evidence_required:
            row.locator(f"input[name=evidence_{item.code}]").set_input_files(str(evidence_path))
    if screens:
        screens(page, "self-evaluation-items-filled")
    save_and_continue(page)


def complete_self_evaluation(page, evidence_path, scan_path, *, screens=None):
    """From the dossier page: every step, the report downloaded, the signed scan uploaded, submitted."""
    page.click("[data-testid=edit-evaluation]")
    fill_basic(page)
    fill_declarations(page)
    fill_items(page, evidence_path, screens=screens)
    page.fill("#id_problems_and_plan", PLAN)
    save_and_continue(page)
    with page.expect_download() as download:
        page.click("[data-testid=download-report]")
    report = download.value
    assert report.suggested_filename.endswith(".pdf")
    page.set_input_files("input[name=report]", str(scan_path))
    page.check("input[name=pledge]")
    if screens:
        screens(page, "self-evaluation-report-step")
    page.click("[data-testid=submit-evaluation]")
    confirm(page)  # static/js/confirm.js's dialog (issue 15)
    return report
