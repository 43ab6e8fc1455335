"""Issue 15: an applicant completes and submits the self-evaluation with the keyboard only.

No mouse click and no Playwright shortcut that fills a field by its selector: the test presses Tab (and the arrow
keys inside radio groups and drop-down lists), types, presses Space on checkboxes, gives the focused file field its
file (the operating system's file dialog is outside the page) and presses Enter on buttons, answering the
confirmation dialog with the keyboard too. The answers are those of tests/browser_steps.py. The dossier ends
submitted.
"""

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.models import Role, User
from applications import services
from applications.models import Dossier, EvaluationTemplate, ItemKind, State
from tests.browser_steps import PLAN
from tests.conftest import at
from tests.factories import MINIMAL_PDF, OrganisationFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-Test-2027"
FOCUSED = """() => { const e = document.activeElement; if (!e || e === document.body) return {};
  return {tag: e.tagName.toLowerCase(), type: e.type || "", name: e.name || "", value: e.value || "",
          checked: !!e.checked, id: e.id || "", testid: (e.dataset && e.dataset.testid) || ""}; }"""
TEXT = {
    "org-address": "深圳市南山区科技园示例路1号",
    "org-legal_representative": "张三",
    "org-contact_name": "李四",
    "org-contact_phone": "0755-26000000",
    "problems_and_plan": PLAN,
}
CHOICES = {"org-industry": "C39 计算机、通信和其他电子设备制造业", "org-ownership": "民营"}


def focused(page):
    return page.evaluate(FOCUSED)


class Keyboard:
    """Walks a page with Tab and acts on each field it reaches."""

    def __init__(self, page, files):
        self.page, self.files = page, files
        self.radios = {}  # radio group name → wanted value
        self.texts = dict(TEXT)
        self.uploads = {}  # file field name → path

    def tab_to(self, done, limit=800):
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            element = focused(self.page)
            if done(element):
                return element
            self.act(element)
        raise AssertionError("the keyboard never reached the element")

    def act(self, el):
        keys = self.page.keyboard
        name = el.get("name", "")
        if el.get("type") == "radio" and name in self.radios:
            wanted = self.radios[name]
            for _ in range(6):  # arrows move the choice inside a group (and check it)
                if focused(self.page)["value"] == wanted:
                    break
                keys.press("ArrowRight")
            if not focused(self.page)["checked"]:
                keys.press("Space")
            assert focused(self.page)["value"] == wanted
        elif el.get("tag") == "select" and name in CHOICES:
            for _ in range(200):
                if focused(self.page)["value"] == CHOICES[name]:
                    break
                keys.press("ArrowDown")
            assert focused(self.page)["value"] == CHOICES[name]
        elif el.get("tag") in ("input", "textarea") and name in self.texts and not el.get("value"):
            keys.type(self.texts[name])
        elif el.get("type") == "file" and name in self.uploads:
            # The file chooser is the operating system's dialog, outside the page (and headless Chromium opens
            # none): the file goes to the field the keyboard has focused.
            self.page.locator(":focus").set_input_files(str(self.uploads.pop(name)))
        elif el.get("type") == "checkbox" and name == "pledge" and not el.get("checked"):
            keys.press("Space")

    def press_button(self, testid, navigates=True):
        self.tab_to(lambda el: el.get("testid") == testid)
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press("Enter")
        else:
            self.page.keyboard.press("Enter")

    def save_and_continue(self):
        self.press_button("save-next")
        expect(self.page.locator(".alert-success")).to_be_visible()


@pytest.fixture
def applicant(districts):
    organisation = OrganisationFactory(name="深圳市键盘操作制造有限公司", district=district("nanshan"))
    User.objects.create_user("kb_applicant", password=PASSWORD, role=Role.APPLICANT, organisation=organisation)
    return organisation


def test_applicant_submits_the_self_evaluation_with_the_keyboard_only(
    live_server, browser, applicant, tmp_path, screens
):
    base = live_server.url
    evidence = tmp_path / "能源审计报告.pdf"
    evidence.write_bytes(MINIMAL_PDF)
    scan = tmp_path / "签字盖章扫描件.pdf"
    scan.write_bytes(MINIMAL_PDF)
    dossier = services.pool(applicant, "factory", 2027, now=at(2027, 1, 15))
    template = EvaluationTemplate.objects.filter(kind="factory", standard="GB/T 36132-2025").order_by("-version")[0]
    with time_machine.travel(at(2027, 3, 10), tick=True):
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        kb = Keyboard(page, tmp_path)
        page.goto(f"{base}/accounts/login/")
        kb.tab_to(lambda el: el.get("id") == "id_username")
        page.keyboard.type("kb_applicant")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_contain_text("申报档案")

        # The first Tab reaches the skip link, which takes focus to the main content.
        page.keyboard.press("Tab")
        assert focused(page)["tag"] == "a" and page.evaluate("document.activeElement.hash") == "#main"
        screens(page, "skip-link-focused")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        kb.tab_to(lambda el: page.evaluate("document.activeElement.getAttribute('href')") == f"/dossiers/{dossier.pk}/")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("[data-testid=edit-evaluation]")).to_be_visible()
        kb.press_button("edit-evaluation")

        kb.radios = {"evaluation_mode": "self"}
        kb.save_and_continue()  # basic information: the fields are filled on the way to the button
        for name in page.locator("input[type=radio][name^=elig_]").evaluate_all("l => l.map(e => e.name)"):
            kb.radios[name] = "yes"
        for name in page.locator("textarea[name$=_evidence]").evaluate_all("l => l.map(e => e.name)"):
            kb.texts[name] = "营业执照、生产许可证"
        kb.save_and_continue()
        for name in page.locator("input[type=radio][name^=excl_]").evaluate_all("l => l.map(e => e.name)"):
            kb.radios[name] = "no"
        for name in page.locator("textarea[name$=_evidence]").evaluate_all("l => l.map(e => e.name)"):
            kb.texts[name] = "信用中国、信用广东查询结果截图"
        kb.save_and_continue()

        for item in template.ordered_items():
            if item.kind == ItemKind.QUANTITATIVE:
                value = float(item.baseline) + (float(item.leading) - float(item.baseline)) * 0.8
                kb.texts[f"value_{item.code}"] = f"{value:.4f}"
            else:
                kb.radios[f"met_{item.code}"] = "yes"
            kb.texts[f"note_{item.code}"] = "见证明材料"
            if item.evidence_required:
                kb.uploads[f"evidence_{item.code}"] = evidence
        kb.save_and_continue()
        assert not kb.uploads, f"evidence fields the keyboard never reached: {sorted(kb.uploads)}"
        kb.save_and_continue()  # the plan: typed on the way

        kb.uploads["report"] = scan
        kb.press_button("submit-evaluation", navigates=False)
        dialog = page.locator("[data-testid=confirm-dialog]")
        expect(dialog).to_be_visible()
        screens(page, "confirm-dialog")
        if focused(page).get("testid") != "confirm-accept":  # focus moved into the dialog
            kb.tab_to(lambda el: el.get("testid") == "confirm-accept", limit=5)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator(".state-badge")).to_have_text("已提交评价报告")
        screens(page, "submitted")
    assert Dossier.objects.get(pk=dossier.pk).state == State.SUBMITTED
