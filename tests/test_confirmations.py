"""Issue 15: irreversible actions say what follows before they run; forms say "请选择", mark only what is wrong
and say why a field is required; a favicon; the holiday-schedule banner only for the staff who load it.

The dialog itself (keyboard, count, Esc) is exercised in Chromium by tests/test_browser_confirm.py."""

import re
from pathlib import Path

import pytest
import time_machine
from django import forms
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from applications.models import TRANSITION_PATHS, District, State
from applications.models import Path as TransitionPath
from applications.templatetags.confirmations import CONSEQUENCES, transition_consequence
from tests.conftest import at, checked, make_dossier
from tests.factories import UserFactory, attach_pdf
from workdays.models import ScheduleYear

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Every button that does something that cannot be undone, by template and a marker unique to the button.
IRREVERSIBLE_BUTTONS = [
    ("applications/self_evaluation/report.html", 'data-testid="submit-evaluation"'),  # 提交至区工信部门
    ("applications/annual_form.html", 'data-testid="submit-annual"'),
    ("applications/dossier_detail.html", 'name="action" value="{{ action.name }}"'),  # 撤回申报, 退回修改, …
    ("applications/city_changes.html", 'name="approve"'),
    ("applications/city_changes.html", 'name="reject"'),
    ("applications/organisation.html", "Lift"),
    ("reviews/batch.html", 'data-testid="submit-batch"'),  # 推荐至市局
    ("reviews/conformity_check.html", 'data-testid="record-conformity"'),
    ("reviews/review_board.html", 'data-testid="open-review"'),  # 启动评审
    ("reviews/expert_score.html", 'data-testid="submit-final"'),
    ("reviews/ranking.html", 'data-testid="create-publicity"'),  # 发布公示
    ("reviews/ranking.html", 'data-testid="nominate"'),
    ("reviews/publicity_batch.html", "'uphold'"),  # 异议成立
    ("reviews/publicity_batch.html", 'data-testid="dismiss"'),  # 异议不成立
    ("reviews/publicity_batch.html", 'data-testid="publish"'),  # 发布名单
    ("registry/remove.html", 'data-testid="confirm-removal"'),  # 移出
    ("registry/rechecks.html", '{% translate "Decide" %}</button>'),
    ("registry/report.html", 'name="decide"'),
    ("registry/national.html", 'name="close"'),
    ("registry/_listed_matches.html", 'data-testid="recommend"'),
]
ARTICLE = re.compile(r"\(Art\. \d+")


def button_tag(template, marker):
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert marker in text, f"{template}: {marker} not found"
    position = text.index(marker)
    start = text.rindex("<button", 0, position)
    end = text.index("</button>", position)
    return text[start:end]


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(("template", "marker"), IRREVERSIBLE_BUTTONS)
def test_every_irreversible_button_states_the_consequence_and_the_article(template, marker):
    tag = button_tag(template, marker)
    # Quotes inside template tags ({% translate "…" %}) are not the attribute's: neutralise them first.
    tag = re.sub(r"{%.*?%}", lambda m: m.group(0).replace('"', "'"), tag, flags=re.S)
    match = re.search(r'data-confirm="([^"]*)"', tag)
    assert match, f"{template}: the button {marker} asks no confirmation"
    question = match.group(1)
    if "transition_consequence" in question:
        return  # the dossier page's buttons: each transition's message, checked below
    assert ARTICLE.search(question), f"{template}: the confirmation cites no article: {question}"
    # Not a bare "Label？": the message says what follows (a sentence after the question).
    assert not question.endswith("%}？"), question
    assert len(re.sub(r"{%.*?%}", "", question)) > 40 or "translate" in question


def test_no_template_asks_a_bare_question():
    """A confirmation is never just the button's label with a question mark ("撤回申报？")."""
    bare = re.compile(r'data-confirm="(\{% translate "[^"]*" %\}|\{\{[^}]*\}\})？"')
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if bare.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_each_transition_of_the_dossier_page_says_what_follows():
    endpoint = {name for name, paths in TRANSITION_PATHS.items() if TransitionPath.ENDPOINT in paths}
    assert endpoint <= set(CONSEQUENCES), endpoint - set(CONSEQUENCES)
    with translation.override("en"):
        assert "cannot be resumed" in str(transition_consequence("withdraw"))
        assert "(Art. 15)" in str(transition_consequence("return_for_revision"))
        assert "cannot be undone" in str(transition_consequence("recommend"))  # a fallback still warns


def test_the_applicants_withdraw_button_explains_withdrawal(client, world):
    dossier = make_dossier(world.org_a, State.POOLED, year=2027)
    english(client).force_login(world.applicant_a)
    page = client.get(reverse("dossier_detail", args=[dossier.pk])).content.decode()
    tag = re.search(r'<button[^>]*value="withdraw"[^>]*>', page).group(0)
    assert "Withdraw this application? The dossier is closed as withdrawn and cannot be resumed" in tag


def test_the_recommendation_button_counts_the_ticked_dossiers(client, world, spring):
    dossier = attach_pdf(make_dossier(world.org_a, State.SUBMITTED, year=2027))
    checked(dossier)
    english(client).force_login(world.officer_nanshan)
    page = client.get(reverse("district_batch") + "?year=2027").content.decode()
    tag = re.search(r'<button[^>]*data-testid="submit-batch"[^>]*>', page).group(0)
    assert 'data-confirm="Recommend __N__ unit(s) to the city? A recommendation cannot be withdrawn (Art. 15)."' in tag
    assert 'data-confirm-count-of="input[name=dossiers]:checked"' in tag
    assert "data-confirm-none=" in tag


# ---- forms ------------------------------------------------------------------------------------------


class SampleForm(forms.Form):
    district = forms.ModelChoiceField(label="District", queryset=District.objects.all())
    kind = forms.ChoiceField(label="Kind", choices=[("", "---------"), ("a", "A"), ("b", "B")])
    filter_kind = forms.ModelChoiceField(
        label="Filter", queryset=District.objects.all(), required=False, empty_label="All"
    )
    note = forms.CharField(label="Note", required=False)
    reason = forms.CharField(label="Reason for the decision")


def render(form):
    return Template("{% load django_bootstrap5 %}{% bootstrap_form form %}").render(Context({"form": form}))


@pytest.mark.django_db
def test_choice_fields_say_please_choose_and_keep_their_own_empty_label(districts):
    with translation.override("zh-hans"):
        html = render(SampleForm())
    assert "---------" not in html
    assert html.count(">请选择</option>") == 2
    assert ">All</option>" in html  # a form's own empty label (a filter's "All") is kept


@pytest.mark.django_db
def test_after_a_failed_submit_only_fields_in_error_are_marked(districts):
    with translation.override("en"):
        html = render(SampleForm(data={"note": "", "kind": "a"}))
    assert "is-valid" not in html  # neither the empty optional note nor the valid kind turns green
    assert html.count("is-invalid") >= 2  # district and reason
    # Django's bare "This field is required." names the field.
    assert "This field is required: Reason for the decision." in html
    assert "This field is required.<" not in html


@pytest.mark.django_db
def test_a_required_field_says_why_on_the_officers_page(client, world):
    english(client).force_login(world.officer_nanshan)
    page = client.post(reverse("agency_list"), {"agency": "", "reason": ""}).content.decode()
    assert "Please say what was wrong: the flag is kept on the agency&#x27;s record (Art. 23)." in page
    assert "is-valid" not in page
    assert "---------" not in page
    assert "Please choose" in page


def test_the_credit_code_explains_why_it_is_required():
    from applications.forms import PoolAddForm

    with translation.override("en"):
        form = PoolAddForm(data={"kind": "factory"})
        assert not form.is_valid()
        assert form.errors["credit_code"] == [
            "Please enter the unified social credit code: the district checks the unit's identity with it (Art. 9)."
        ]


# ---- favicon and the holiday-schedule banner -------------------------------------------------------


def test_the_favicon_is_linked_and_served(client, db):
    page = client.get(reverse("public_home")).content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg" type="image/svg\+xml">', page)
    for name in ("img/favicon.svg", "img/favicon.ico", "img/favicon.png"):
        assert finders.find(name), name
    svg = Path(finders.find("img/favicon.svg")).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "</svg>" in svg


def banner_shown(client, user, url):
    client.force_login(user)
    return 'data-testid="schedule-banner"' in client.get(url).content.decode()


@pytest.fixture
def november(db):
    """29 November 2026: 2026's schedule is loaded (seeded); 2027's is published by the State Council, not loaded."""
    ScheduleYear.objects.filter(year__gte=2027).delete()
    with time_machine.travel(at(2026, 11, 29), tick=False):
        yield


def test_the_schedule_banner_shows_to_city_staff_on_their_workspace_only(client, world, november):
    staff = UserFactory(username="staff1", role=Role.STAFF)
    assert banner_shown(client, world.municipal, reverse("home"))
    assert banner_shown(client, staff, reverse("publicity_batches"))
    # Not on every page, and never to those who cannot load it.
    dossier = make_dossier(world.org_a, State.POOLED, year=2027)
    assert not banner_shown(client, world.municipal, reverse("dossier_detail", args=[dossier.pk]))
    for user in (world.officer_nanshan, world.applicant_a, world.agency_user, world.expert):
        assert not banner_shown(client, user, reverse("home")), user.role
    assert not banner_shown(client, world.municipal, reverse("calendar"))  # the calendar page says it itself
    client.logout()
    assert 'data-testid="schedule-banner"' not in client.get(reverse("public_home")).content.decode()


def test_the_banner_waits_for_the_schedule_to_be_published_and_goes_once_loaded(client, world, november):
    with time_machine.travel(at(2026, 10, 20), tick=False):  # before November nobody can load next year
        assert not banner_shown(client, world.municipal, reverse("home"))
    ScheduleYear.objects.create(year=2027, source="国办发明电〔2026〕1号")
    assert not banner_shown(client, world.municipal, reverse("home"))


def test_the_banner_tag_costs_nothing_for_other_roles(world, november, django_assert_num_queries):
    from workdays.templatetags.schedule_banner import schedule_banner

    request = RequestFactory().get(reverse("home"))
    request.resolver_match = type("Match", (), {"url_name": "home"})()
    request.user = world.officer_nanshan
    with django_assert_num_queries(0):
        assert schedule_banner({"request": request}) == {"years": []}
    request.user = world.municipal
    with django_assert_num_queries(1):
        assert schedule_banner({"request": request}) == {"years": [2027]}


def test_publishing_the_list_names_how_many_units_it_lists(client, world):
    from applications.models import State
    from tests.conftest import make_dossier

    dossier = make_dossier(world.org_a, State.IN_PUBLICITY)
    client.force_login(world.municipal)
    page = client.get(reverse("publicity_batch", args=[dossier.publicity_entry.batch_id])).content.decode()
    assert "发布包含1家单位的名单？" in page
    assert "发布后不可撤回（第十七条）" in page
