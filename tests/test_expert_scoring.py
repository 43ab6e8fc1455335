"""Issue 10: experts score beside each criterion's description, save drafts, submit final scores once;
the city's board counts final reviews; the scoring deadline is reminded 3 days, 1 day before and overdue."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Notification, SentReminder
from applications.models import Kind, State
from applications.models.guards import expert_review_complete, review_progress
from applications.services import TransitionRefused
from greenfactory.sweeps import run_sweep
from reviews import expert_review
from reviews.models import Criterion, ExpertAssignment, Review, Round
from reviews.reminders import send_scoring_reminders
from tests.conftest import at, make_dossier
from tests.factories import OrganisationFactory, declare_eligible, district

pytestmark = pytest.mark.django_db
D = datetime.date
ENERGY_LOOKS_FOR = "单位产品综合能耗是否优于行业准入值，并有计量台账佐证"


@pytest.fixture
def criteria(db):
    review_round = Round.objects.create(year=2026, kind=Kind.FACTORY, scoring_deadline=D(2026, 8, 20))
    energy = Criterion.objects.create(
        round=review_round, name="能源低碳化", weight=Decimal(60), max_score=100, order=1, description=ENERGY_LOOKS_FOR
    )
    resources = Criterion.objects.create(
        round=review_round, name="资源高效化", weight=Decimal(40), max_score=50, order=2
    )
    return review_round, energy, resources


def scores(criteria, energy, resources):
    _round, c1, c2 = criteria
    return {str(c1.pk): energy, str(c2.pk): resources}


def factory(name, code="nanshan"):
    org = OrganisationFactory(name=name, district=district(code))
    declare_eligible(org)
    return make_dossier(org, State.IN_REVIEW)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# ---- the service ------------------------------------------------------------------------------------


def test_a_draft_may_be_incomplete_and_is_changed_at_will(world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    draft = expert_review.save_draft(assignment, scores=scores(criteria, 70, None), comment="初稿")
    assert (draft.is_final, draft.total, draft.scores) == (False, None, {str(criteria[1].pk): "70"})
    again = expert_review.save_draft(assignment, scores=scores(criteria, 80, 40), comment="改")
    assert (again.pk, again.total, again.comment, again.is_final) == (draft.pk, Decimal("80.00"), "改", False)


def test_a_draft_still_refuses_a_score_out_of_range(world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    with pytest.raises(TransitionRefused):
        expert_review.save_draft(assignment, scores=scores(criteria, None, 51))
    assert not Review.objects.exists()


def test_final_scores_need_every_criterion(world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    with pytest.raises(TransitionRefused) as refused, translation.override("en"):
        expert_review.submit_final(assignment, scores=scores(criteria, 80, ""), declares_no_conflict=True)
    assert refused.value.message == "Score 资源高效化 before submitting your final scores."
    assert not Review.objects.exists()


def test_final_scores_are_submitted_once_and_never_changed(world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    expert_review.save_draft(assignment, scores=scores(criteria, 60, None))
    final = expert_review.submit_final(
        assignment, scores=scores(criteria, 80, 40), declares_no_conflict=True, comment="好", now=at(2026, 8, 1)
    )
    assert (final.is_final, final.total, final.finalised_at) == (True, Decimal("80.00"), at(2026, 8, 1))
    for attempt in (expert_review.submit_final, expert_review.save_draft):
        with pytest.raises(TransitionRefused) as refused, translation.override("en"):
            attempt(assignment, scores=scores(criteria, 100, 50))
        assert refused.value.message == (
            "Your final scores were submitted on 2026-08-01 10:00 and can no longer be changed."
        )
    assert Review.objects.get().scores == {str(criteria[1].pk): "80", str(criteria[2].pk): "40"}


NO_CONFLICT_REFUSAL = (
    "Declare that you have no conflict of interest with this unit or its evaluation agency before submitting your "
    "final scores (Art. 17)."
)


def test_final_scores_without_the_no_conflict_declaration_are_refused_and_nothing_is_saved(world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    for declared in (False, None):
        with pytest.raises(TransitionRefused) as refused, translation.override("en"):
            expert_review.submit_final(assignment, scores=scores(criteria, 80, 40), declares_no_conflict=declared)
        assert refused.value.message == NO_CONFLICT_REFUSAL
    assert not Review.objects.exists()
    # A draft kept before is left as it was: still a draft, with no declaration.
    expert_review.save_draft(assignment, scores=scores(criteria, 60, None), now=at(2026, 7, 30))
    with pytest.raises(TransitionRefused):
        expert_review.submit_final(assignment, scores=scores(criteria, 80, 40))
    draft = Review.objects.get()
    assert (draft.is_final, draft.no_conflict_declared_at, draft.scores) == (False, None, {str(criteria[1].pk): "60"})


def test_the_no_conflict_declaration_is_recorded_with_the_final_scores(world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    draft = expert_review.save_draft(assignment, scores=scores(criteria, 60, None), now=at(2026, 7, 30))
    assert draft.no_conflict_declared_at is None  # a draft needs no declaration
    final = expert_review.submit_final(
        assignment, scores=scores(criteria, 80, 40), declares_no_conflict=True, now=at(2026, 8, 1)
    )
    assert (final.is_final, final.no_conflict_declared_at) == (True, at(2026, 8, 1))
    assert Review.objects.get().no_conflict_declared_at == at(2026, 8, 1)
    # Part of the final record: never changed afterwards, whatever the path.
    final.no_conflict_declared_at = None
    with pytest.raises(PermissionDenied):
        final.save()


def test_the_model_refuses_to_change_a_final_review_whatever_the_path(world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    expert_review.submit_final(assignment, scores=scores(criteria, 80, 40), declares_no_conflict=True)
    review = Review.objects.get()
    review.save()  # unchanged: allowed (e.g. the admin saving what it shows)
    review.scores[str(criteria[1].pk)] = "100"
    with pytest.raises(PermissionDenied):
        review.save()
    review.refresh_from_db()
    review.finalised_at = None  # reopening it is a change too
    with pytest.raises(PermissionDenied):
        review.save()
    with pytest.raises(PermissionDenied):
        Review.objects.filter(pk=review.pk).update(total=Decimal(99))
    with pytest.raises(PermissionDenied):
        Review.objects.filter(pk=review.pk).delete()
    with pytest.raises(PermissionDenied):
        Review.objects.get().delete()
    review = Review.objects.get()
    assert (review.total, review.scores[str(criteria[1].pk)], review.is_final) == (Decimal("80.00"), "80", True)


def test_a_draft_row_may_still_be_changed_in_the_model(world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    draft = expert_review.save_draft(assignment, scores=scores(criteria, 80, None))
    draft.comment = "补充"
    draft.save()
    assert Review.objects.get().comment == "补充"


def test_reviews_saved_before_drafts_existed_become_final(world, criteria, assign):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("reviews.migrations.0006_expert_drafts_and_deadline")
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    old = expert_review.save_draft(assignment, scores=scores(criteria, 80, 40), now=at(2026, 7, 30))
    migration.existing_reviews_are_final(apps, None)
    old.refresh_from_db()
    assert old.finalised_at == at(2026, 7, 30)


def test_ranking_and_aggregation_count_final_scores_only(world, criteria, assign):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    expert_review.submit_final(
        assign(dossier, world.expert), scores=scores(criteria, 80, 40), declares_no_conflict=True
    )  # 80.00
    expert_review.save_draft(assign(dossier, world.expert2), scores=scores(criteria, 10, 5))  # 10.00, a draft
    row = expert_review.ranking(2026, Kind.FACTORY)["rows"][0]
    assert (row["aggregate"], row["count"], row["assigned"]) == (Decimal("80.00"), 1, 2)
    assert row["criteria"][criteria[1].pk] == Decimal("80.00")


def test_expert_review_complete_counts_final_reviews_only(world, criteria, assign):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    first, second = assign(dossier, world.expert), assign(dossier, world.expert2)
    expert_review.submit_final(first, scores=scores(criteria, 80, 40), declares_no_conflict=True)
    expert_review.save_draft(second, scores=scores(criteria, 90, 45))  # complete, but only a draft
    assert review_progress(dossier) == (1, 2)
    assert not expert_review_complete(dossier)
    assert expert_review.manual_reason_for(dossier, "理由") == "理由"
    expert_review.submit_final(second, scores=scores(criteria, 90, 45), declares_no_conflict=True)
    assert review_progress(dossier) == (2, 2)
    assert expert_review_complete(dossier)


# ---- the expert's screens -----------------------------------------------------------------------------


def test_each_criterion_description_is_shown_beside_its_input(client, world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    client.force_login(world.expert)
    page = client.get(reverse("expert_score", args=[assignment.pk])).content.decode()
    rows = re.findall(
        r'<div class="row g-2 border-bottom py-2" data-testid="criterion-row">(.*?)\n    </div>', page, re.S
    )
    assert len(rows) == 2
    energy_row = rows[0]
    assert f'name="c{criteria[1].pk}"' in energy_row
    assert ENERGY_LOOKS_FOR in energy_row
    assert f'name="c{criteria[2].pk}"' in rows[1] and ENERGY_LOOKS_FOR not in rows[1]
    assert 'data-testid="save-draft"' in page and 'data-testid="submit-final"' in page


def test_the_final_button_asks_for_confirmation_that_it_cannot_be_changed(client, world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    english(client).force_login(world.expert)
    page = client.get(reverse("expert_score", args=[assignment.pk])).content.decode()
    button = re.search(r'<button[^>]*data-testid="submit-final"[^>]*>', page, re.S).group(0)
    # static/js/confirm.js asks (no inline handler under the Content-Security-Policy; tests/test_browser_csp.py).
    assert "onclick" not in button
    assert (
        'data-confirm="Submit your final scores? They count in the review (Art. 17) and cannot be changed afterwards."'
        in button
    )


def test_an_expert_saves_a_draft_then_submits_final_and_the_page_turns_read_only(client, world, criteria, assign):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    client.force_login(world.expert)
    url = reverse("expert_score", args=[assignment.pk])
    _round, energy, resources = criteria
    client.post(url, {f"c{energy.pk}": "70", f"c{resources.pk}": "", "comment": "初稿", "draft": "1"})
    review = Review.objects.get()
    assert (review.is_final, review.scores) == (False, {str(energy.pk): "70"})
    page = client.get(url).content.decode()
    assert 'data-testid="draft-badge"' in page and 'value="70"' in page
    # Final without every score: refused by the form, nothing changes.
    client.post(url, {f"c{energy.pk}": "80", f"c{resources.pk}": "", "no_conflict": "on", "final": "1"})
    assert Review.objects.get().is_final is False
    client.post(
        url, {f"c{energy.pk}": "80", f"c{resources.pk}": "40", "comment": "好", "no_conflict": "on", "final": "1"}
    )
    review = Review.objects.get()
    assert (review.is_final, review.total) == (True, Decimal("80.00"))
    page = client.get(url).content.decode()
    assert 'data-testid="final-badge"' in page
    assert 'data-testid="submit-final"' not in page and 'data-testid="save-draft"' not in page
    assert f'name="c{energy.pk}"' not in page
    assert ENERGY_LOOKS_FOR in page  # the read-only table keeps the description beside the score
    # A forged second submission is refused and changes nothing.
    response = english(client).post(
        url, {f"c{energy.pk}": "100", f"c{resources.pk}": "50", "no_conflict": "on", "final": "1"}, follow=True
    )
    assert "can no longer be changed" in response.content.decode()
    assert Review.objects.get().total == Decimal("80.00")


def test_final_scores_without_the_declaration_are_refused_on_the_page_and_a_draft_still_saves(
    client, world, criteria, assign
):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    english(client).force_login(world.expert)
    url = reverse("expert_score", args=[assignment.pk])
    _round, energy, resources = criteria
    filled = {f"c{energy.pk}": "80", f"c{resources.pk}": "40", "comment": "好"}
    response = client.post(url, {**filled, "final": "1"})
    assert response.status_code == 200  # the form again, not a redirect
    page = response.content.decode()
    box = re.search(r'<input type="checkbox" name="no_conflict"[^>]*>', page).group(0)
    assert "is-invalid" in box and 'aria-describedby="id_no_conflict_helptext id_no_conflict_error"' in box
    error = re.search(r'<div id="id_no_conflict_error"[^>]*>\s*<div class="invalid-feedback d-block">(.*?)</div>', page)
    assert error.group(1) == NO_CONFLICT_REFUSAL
    assert not Review.objects.exists()
    # The draft button needs no declaration.
    client.post(url, {**filled, "draft": "1"})
    review = Review.objects.get()
    assert (review.is_final, review.no_conflict_declared_at) == (False, None)
    # Declared: final, with the time of the declaration shown on the read-only page.
    client.post(url, {**filled, "no_conflict": "on", "final": "1"})
    review = Review.objects.get()
    assert review.is_final and review.no_conflict_declared_at == review.finalised_at
    page = client.get(url).content.decode()
    assert "No conflict of interest with this unit or its evaluation agency declared on" in page


def test_the_score_form_asks_for_the_declaration_with_final_scores_only(criteria):
    from reviews.forms_municipal import ScoreForm

    assert ScoreForm(criteria=list(criteria[1:]), final=False).fields["no_conflict"].required is False
    assert ScoreForm(criteria=list(criteria[1:]), final=True).fields["no_conflict"].required is True


def test_the_score_page_links_to_the_whole_application(client, world, criteria, assign):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    assignment = assign(dossier, world.expert)
    client.force_login(world.expert)
    page = client.get(reverse("expert_score", args=[assignment.pk])).content.decode()
    assert f'href="{reverse("application_view", args=[dossier.pk])}" data-testid="application-link"' in page


def test_pending_assignments_come_first_with_the_deadline_and_days_left(client, world, criteria, assign):
    import time_machine

    done = assign(factory("深圳市已评有限公司"), world.expert)
    drafted = assign(factory("深圳市草稿有限公司", "futian"), world.expert)
    untouched = assign(factory("深圳市未评有限公司", "baoan"), world.expert)
    expert_review.submit_final(done, scores=scores(criteria, 80, 40), declares_no_conflict=True)
    expert_review.save_draft(drafted, scores=scores(criteria, 80, None))
    client.force_login(world.expert)
    with time_machine.travel(at(2026, 8, 17, 9)):
        page = english(client).get(reverse("expert_assignments")).content.decode()
    pending = page[page.index('data-testid="pending"') : page.index('data-testid="done"')]
    finished = page[page.index('data-testid="done"') :]
    assert "深圳市草稿有限公司" in pending and "深圳市未评有限公司" in pending
    assert "深圳市已评有限公司" not in pending and "深圳市已评有限公司" in finished
    assert pending.count("2026-08-20") == 2 and pending.count("3 days left") == 2
    assert page.index("深圳市草稿有限公司") < page.index("深圳市已评有限公司")
    assert page.index("深圳市未评有限公司") < page.index("深圳市已评有限公司")
    assert (drafted.dossier.cycle_year, untouched.dossier.cycle_year) == (2026, 2026)


def test_an_overdue_assignment_says_so(client, world, criteria, assign):
    import time_machine

    assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    client.force_login(world.expert)
    with time_machine.travel(at(2026, 8, 22, 9)):
        page = english(client).get(reverse("expert_assignments")).content.decode()
    assert "2 days overdue" in page and "list-group-item-danger" in page


def test_worklist_orders_pending_by_deadline_then_done(world, criteria, assign):
    first = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    later_round = Round.objects.create(year=2026, kind=Kind.PARK, scoring_deadline=D(2026, 9, 30))
    Criterion.objects.create(round=later_round, name="园区", weight=Decimal(100), max_score=100)
    park = OrganisationFactory(name="深圳市某产业园", district=district("futian"))
    declare_eligible(park, Kind.PARK)
    second = assign(make_dossier(park, State.IN_REVIEW, kind=Kind.PARK), world.expert)
    pending, done = expert_review.expert_worklist(
        expert_review.ExpertAssignment.objects.filter(expert=world.expert), today=D(2026, 8, 19)
    )
    assert [(a.pk, a.days_left) for a in pending] == [(first.pk, 1), (second.pk, 42)]
    assert done == []


# ---- the city's board ----------------------------------------------------------------------------------


def board(client, user):
    client.force_login(user)
    return client.get(reverse("review_board"), {"year": 2026, "kind": "factory"}).content.decode()


def test_the_board_shows_final_reviews_of_assigned_experts_and_drafts_apart(client, world, criteria, assign):
    import time_machine

    from tests.factories import UserFactory

    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    third = UserFactory(username="expert3", role="expert")
    expert_review.submit_final(
        assign(dossier, world.expert), scores=scores(criteria, 80, 40), declares_no_conflict=True
    )
    expert_review.save_draft(assign(dossier, world.expert2), scores=scores(criteria, 80, None))
    assign(dossier, third, conflict=True)  # a declared conflict is not counted in m
    with time_machine.travel(at(2026, 8, 19, 9)):
        page = board(english(client), world.municipal)
    assert re.search(r'data-testid="final-progress">\s*1 / 2 final reviews\s*<', page)
    assert re.search(r'data-testid="draft-count">\s*1 draft\s*<', page)
    assert "<strong>2026-08-20</strong>" in page
    assert 'data-testid="overdue"' not in page
    with time_machine.travel(at(2026, 8, 21, 9)):
        page = board(client, world.municipal)
    assert 'data-overdue="1"' in page and 'data-testid="overdue"' in page


def test_the_board_shows_which_final_reviews_lack_the_no_conflict_declaration(client, world, criteria, assign):
    from django.db import connection

    from tests.conftest import below_the_model

    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    declared = expert_review.submit_final(
        assign(dossier, world.expert), scores=scores(criteria, 80, 40), declares_no_conflict=True
    )
    page = board(english(client), world.municipal)
    assert "final scores, no conflict of interest declared" in page
    assert 'data-testid="no-declaration"' not in page

    # A review finalised before the declaration existed (reviews/0008) has none: the board says so.
    with below_the_model(), connection.cursor() as cursor:  # the model refuses any change to a final review
        cursor.execute(
            f"UPDATE {Review._meta.db_table} SET no_conflict_declared_at = NULL WHERE id = %s", [declared.pk]
        )
    page = board(client, world.municipal)
    assert re.search(r'data-testid="no-declaration">（no conflict-of-interest declaration）<', page)


def test_a_fully_reviewed_dossier_is_not_overdue(client, world, criteria, assign):
    import time_machine

    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    expert_review.submit_final(
        assign(dossier, world.expert), scores=scores(criteria, 80, 40), declares_no_conflict=True
    )
    with time_machine.travel(at(2026, 8, 25, 9)):
        page = board(english(client), world.municipal)
    assert re.search(r'data-testid="final-progress">\s*1 / 1 final reviews\s*<', page)
    assert 'data-overdue="1"' not in page


def test_the_board_makes_the_same_number_of_queries_for_one_or_three_dossiers(client, world, criteria, assign):
    client.force_login(world.municipal)
    url = reverse("review_board") + "?year=2026&kind=factory"

    def add(name, code):
        dossier = factory(name, code)
        expert_review.submit_final(
            assign(dossier, world.expert), scores=scores(criteria, 80, 40), declares_no_conflict=True
        )
        expert_review.save_draft(assign(dossier, world.expert2), scores=scores(criteria, 80, None))

    add("深圳市一号有限公司", "nanshan")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add("深圳市二号有限公司", "futian")
    add("深圳市三号有限公司", "baoan")
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).content.decode()
    assert page.count('data-testid="final-progress"') == 3
    assert len(three) == len(one)


# ---- reminders -------------------------------------------------------------------------------------------


def inbox(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("title", flat=True))


def test_reminders_3_days_1_day_before_and_overdue_each_once(
    world, criteria, assign, django_capture_on_commit_callbacks
):
    pending = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    finished = assign(pending.dossier, world.expert2)
    expert_review.submit_final(finished, scores=scores(criteria, 80, 40), declares_no_conflict=True)
    expert_review.save_draft(pending, scores=scores(criteria, 80, None))  # a draft is still pending
    sent = {}
    with translation.override("en"):
        for day in range(10, 31):  # every day of August, twice a day
            for _twice in range(2):
                with django_capture_on_commit_callbacks(execute=True):
                    lines = send_scoring_reminders(D(2026, 8, day))
                sent.setdefault(day, []).extend(lines)
    assert {day: len(lines) for day, lines in sent.items() if lines} == {17: 1, 19: 1, 21: 1}
    assert inbox(world.expert) == [
        "The scoring deadline 2026-08-20 is in 3 days: please submit your final scores",
        "The scoring deadline 2026-08-20 is in 1 day: please submit your final scores",
        "The scoring deadline 2026-08-20 has passed: please submit your final scores",
    ]
    assert inbox(world.expert2) == []  # final scores submitted: nothing to remind
    assert world.org_a.name in Notification.objects.filter(recipient=world.expert).first().body
    assert set(SentReminder.objects.values_list("key", flat=True)) == {
        f"scoring-{pending.pk}-3d",
        f"scoring-{pending.pk}-1d",
        f"scoring-{pending.pk}-overdue",
    }


def test_a_missed_day_does_not_lose_the_reminder_and_final_scores_stop_them(
    world, criteria, assign, django_capture_on_commit_callbacks
):
    assignment = assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    with django_capture_on_commit_callbacks(execute=True):
        assert len(send_scoring_reminders(D(2026, 8, 18))) == 1  # 2 days left: the 3-day stage
        expert_review.submit_final(assignment, scores=scores(criteria, 80, 40), declares_no_conflict=True)
        assert send_scoring_reminders(D(2026, 8, 19)) == []
        assert send_scoring_reminders(D(2026, 8, 21)) == []
    assert len(inbox(world.expert)) == 1


def test_one_message_per_expert_lists_every_pending_dossier(
    world, criteria, assign, django_capture_on_commit_callbacks
):
    assign(factory("深圳市甲一有限公司"), world.expert)
    assign(factory("深圳市甲二有限公司", "futian"), world.expert)
    with django_capture_on_commit_callbacks(execute=True):
        assert len(send_scoring_reminders(D(2026, 8, 17))) == 1
    body = Notification.objects.get(recipient=world.expert).body
    assert "深圳市甲一有限公司" in body and "深圳市甲二有限公司" in body


def test_no_reminder_without_a_deadline_or_after_a_conflict(
    world, criteria, assign, django_capture_on_commit_callbacks
):
    review_round = criteria[0]
    assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert, conflict=True)
    assert send_scoring_reminders(D(2026, 8, 17)) == []
    review_round.scoring_deadline = None
    review_round.save()
    assign(make_dossier(world.org_b, State.IN_REVIEW), world.expert2)
    assert send_scoring_reminders(D(2026, 8, 17)) == []
    assert send_scoring_reminders(D(2026, 8, 25)) == []


def test_the_sweep_is_scheduled_daily_and_runs_as_of_a_date(
    world, criteria, assign, django_capture_on_commit_callbacks
):
    assign(make_dossier(world.org_a, State.IN_REVIEW), world.expert)
    entry = settings.CELERY_BEAT_SCHEDULE["scoring-reminders"]
    assert entry["task"] == "greenfactory.sweeps.scoring_reminders"
    assert entry["schedule"].day_of_month == set(range(1, 32))
    with django_capture_on_commit_callbacks(execute=True):
        assert len(run_sweep("scoring_reminders", at(2026, 8, 19, 9))) == 1
        assert run_sweep("scoring_reminders", at(2026, 8, 19, 9)) == []
    assert len(inbox(world.expert)) == 1


def test_the_board_line_of_experts_says_where_each_stands(world, criteria, assign, django_user_model):
    """``expert_progress`` (reviews/templatetags/review_display.py): one expert per branch, names escaped."""
    from django.utils import translation

    from accounts.models import Role
    from reviews.templatetags.review_display import expert_progress

    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    odd = django_user_model.objects.create(username="odd", role=Role.EXPERT, last_name="<b>", first_name="专家")
    final = assign(dossier, world.expert)
    expert_review.submit_final(final, scores=scores(criteria, 80, 40), declares_no_conflict=True)
    draft = assign(dossier, world.expert2)
    expert_review.save_draft(draft, scores=scores(criteria, 70, None), comment="")
    conflicted = assign(dossier, odd, conflict=True)
    waiting = assign(make_dossier(world.org_b, State.IN_REVIEW), world.expert)
    rows = list(
        ExpertAssignment.objects.filter(pk__in=[final.pk, draft.pk, conflicted.pk])
        .select_related("expert", "review")
        .order_by("pk")
    )
    with translation.override("en"):
        line = expert_progress(rows)
        assert line == (
            f'{world.expert} ✓<span class="visually-hidden">final scores, no conflict of interest declared</span>、'
            f"{world.expert2}（draft）、"
            "&lt;b&gt;专家（conflict）"
        )
        assert expert_progress([waiting]) == str(world.expert)
        assert expert_progress([]) == "no expert yet"
