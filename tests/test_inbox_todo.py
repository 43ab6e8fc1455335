"""Issue 15, the inbox: filters and pages, "needs action", the 待办 page per role, the daily email digest."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from accounts import todo
from accounts.models import Notification, Role, User
from accounts.notifications import NEEDS_ACTION, notify, send_digests
from applications import services
from applications.models import Kind, State
from tests.conftest import at, checked, make_dossier
from tests.factories import OrganisationFactory, UserFactory, declare_eligible, district

pytestmark = pytest.mark.django_db


def _notes(user, n, **fields):
    Notification.objects.bulk_create(
        [Notification(recipient=user, title=f"第{i}条", url="/workspace/", **fields) for i in range(n)]
    )


# ---- the inbox -------------------------------------------------------------------------------------------


def test_every_one_of_68_notifications_is_reachable_through_the_pages(client, world):
    _notes(world.officer_nanshan, 68)
    client.force_login(world.officer_nanshan)
    seen = set()
    for number in (1, 2):
        response = client.get(reverse("inbox"), {"page": number})
        seen |= {n.pk for n in response.context["page"]}
    assert len(seen) == 68
    body = client.get(reverse("inbox")).content.decode()
    assert "?page=2" in body  # a link to the second page


def test_filters_keep_the_pages_and_show_counts_on_the_tabs(client, world):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    Notification.objects.filter(recipient=world.officer_nanshan).delete()
    _notes(world.officer_nanshan, 60, needs_action=True, dossier=dossier)
    _notes(world.officer_nanshan, 8)
    Notification.objects.filter(recipient=world.officer_nanshan, needs_action=False).update(read_at=at(2026, 6, 1))
    client.force_login(world.officer_nanshan)

    response = client.get(reverse("inbox"), {"show": "action"})
    counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {"all": 68, "unread": 60, "action": 60, "news": 8}
    assert response.context["page"].paginator.count == 60
    body = response.content.decode()
    assert "?show=action&page=2" in body  # the filter stays in the page links
    second = client.get(reverse("inbox"), {"show": "action", "page": 2})
    assert len(second.context["page"].object_list) == 10
    assert all(n.needs_action for n in second.context["page"])

    news = client.get(reverse("inbox"), {"show": "news"})
    assert {n.title for n in news.context["page"]} == {f"第{i}条" for i in range(8)}
    by_dossier = client.get(reverse("inbox"), {"dossier": dossier.pk})
    assert by_dossier.context["page"].paginator.count == 60
    assert [d["dossier_id"] for d in by_dossier.context["dossiers"]] == [dossier.pk]


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, world):
    _notes(world.applicant_a, 1)
    note = world.applicant_a.notifications.get()
    client.force_login(world.applicant_a)
    response = client.get(reverse("open_notification", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    note.refresh_from_db()
    assert note.read_at is not None
    client.force_login(world.applicant_b)  # someone else's notification: not found
    assert client.get(reverse("open_notification", args=[note.pk])).status_code == 404


def test_mark_all_read(client, world):
    _notes(world.applicant_a, 3)
    client.force_login(world.applicant_a)
    client.post(reverse("inbox_mark_read"))
    assert not world.applicant_a.notifications.filter(read_at__isnull=True).exists()


# ---- needs action ------------------------------------------------------------------------------------------


def test_a_transition_is_action_for_the_role_that_acts_next_and_news_for_the_others(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_dossier(world.org_a, State.SUBMITTED)
    officer = world.officer_nanshan.notifications.get(dossier=dossier, title__contains="提交")
    applicant = world.applicant_a.notifications.get(dossier=dossier, title__contains="提交")
    assert officer.needs_action and not applicant.needs_action  # 第十五条: the district checks

    with django_capture_on_commit_callbacks(execute=True):
        services.transition(dossier, "return_for_revision", by=world.officer_nanshan, reason="缺少能源数据")
    returned = world.applicant_a.notifications.filter(dossier=dossier).order_by("-pk").first()
    assert returned.needs_action and returned.body == "缺少能源数据"  # the applicant revises

    assert NEEDS_ACTION[State.RECOMMENDED] == {Role.MUNICIPAL, Role.STAFF}  # 第十六条
    assert NEEDS_ACTION[State.RETURNED] >= {Role.APPLICANT}
    assert State.LISTED not in NEEDS_ACTION  # news


# ---- 待办 -------------------------------------------------------------------------------------------------


def _submitted(n, year=2027, when=None):
    """``n`` dossiers of Nanshan submitted for ``year``."""
    from tests.factories import attach_pdf

    made = []
    for _ in range(n):
        org = OrganisationFactory(district=district("nanshan"))
        declare_eligible(org, Kind.FACTORY)
        dossier = services.pool(org, Kind.FACTORY, year, now=at(year, 1, 15))
        attach_pdf(dossier)
        made.append(services.transition(dossier, "submit", now=when or at(year, 3, 1), reason="测试"))
    return made


def test_the_district_officers_work_list(client, world, spring):
    first = _submitted(3)
    checked(first[0])
    client.force_login(world.officer_nanshan)
    response = client.get(reverse("todo"))
    sections = {s["section"].key: s for s in response.context["sections"]}
    assert sections["check"]["count"] == 2
    assert sections["recommend"]["count"] == 1
    item = sections["recommend"]["items"][0]
    assert str(item["deadline"]) == "2027-05-30" and "2027" in item["url"]
    body = response.content.decode()
    assert 'data-testid="todo-badge">3<' in body
    client.force_login(world.officer_futian)  # another district sees none of them (accounts.scoping)
    sections = {s["section"].key: s for s in client.get(reverse("todo")).context["sections"]}
    assert sections["check"]["count"] == 0


def test_the_applicant_and_agency_lists(client, world, spring):
    pooled = services.pool(world.org_a, Kind.FACTORY, 2027, now=at(2027, 1, 15))
    client.force_login(world.applicant_a)
    [submit, _annual] = client.get(reverse("todo")).context["sections"]
    assert submit["count"] == 1 and submit["items"][0]["url"] == reverse("dossier_detail", args=[pooled.pk])
    assert str(submit["items"][0]["deadline"]) == "2027-05-30"

    commissioned = services.pool(world.org_b, Kind.FACTORY, 2027, now=at(2027, 1, 15))
    commissioned.evaluation_mode, commissioned.agency = "agency", world.agency
    commissioned.save()
    client.force_login(world.agency_user)
    [reports] = client.get(reverse("todo")).context["sections"]
    assert reports["count"] == 1 and reports["items"][0]["url"] == reverse("upload_report", args=[commissioned.pk])


def test_the_city_and_expert_lists(client, world, assign):
    recommended = make_dossier(world.org_a, State.RECOMMENDED)
    in_review = make_dossier(world.org_b, State.IN_REVIEW)
    assign(in_review, world.expert)
    client.force_login(world.municipal)
    sections = {s["section"].key: s for s in client.get(reverse("todo")).context["sections"]}
    assert sections["conformity"]["items"][0]["url"] == reverse("conformity_check", args=[recommended.pk])
    assert sections["review"]["count"] == 0
    client.force_login(world.expert)
    [score] = client.get(reverse("todo")).context["sections"]
    assert score["count"] == 1
    client.force_login(world.expert2)
    [score] = client.get(reverse("todo")).context["sections"]
    assert score["count"] == 0


def test_the_work_list_runs_a_constant_number_of_queries_and_shows_the_rest_behind_a_link(
    client, world, spring, django_assert_max_num_queries
):
    _submitted(2)
    client.force_login(world.officer_nanshan)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("todo"))
    _submitted(todo.SHOWN + 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("todo"))
    check = next(s for s in response.context["sections"] if s["section"].key == "check")
    assert check["count"] == todo.SHOWN + 7 and len(check["items"]) == todo.SHOWN and check["more"] == 7
    assert reverse("todo_section", args=["check"]) in response.content.decode()
    full = client.get(reverse("todo_section", args=["check"]))
    assert full.context["page"].paginator.count == todo.SHOWN + 7
    assert client.get(reverse("todo_section", args=["conformity"])).status_code == 404  # not the district's


def test_the_home_page_shows_the_work_list(client, world, spring):
    _submitted(2)
    client.force_login(world.officer_nanshan)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="todo-summary"' in body and reverse("todo_section", args=["check"]) in body


def test_administrators_have_no_work_list(client, world):
    admin = UserFactory(username="sys", role=Role.SYSADMIN)
    assert todo.sections_for(admin) == []
    client.force_login(admin)
    assert client.get(reverse("todo")).status_code == 200


# ---- email: each at once, a daily digest, or none ---------------------------------------------------------------


def test_immediate_users_get_an_email_per_notification_as_before(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.applicant_a, world.officer_nanshan], title="消息一", url="/workspace/")
    assert len(mail.outbox) == 1 and sorted(mail.outbox[0].to) == ["a@example.com", "ns@example.com"]
    assert not Notification.objects.filter(digest=Notification.Digest.PENDING).exists()


def test_digest_users_get_one_email_with_the_days_notifications_once(world, django_capture_on_commit_callbacks):
    User.objects.filter(pk=world.officer_nanshan.pk).update(email_preference=User.EmailPreference.DIGEST)
    User.objects.filter(pk=world.applicant_a.pk).update(email_preference=User.EmailPreference.NONE)
    recipients = User.objects.filter(pk__in=[world.officer_nanshan.pk, world.applicant_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            notify(recipients, title=f"第{i}件事", body="说明", url="/workspace/")
    assert mail.outbox == []  # nobody is mailed at once
    assert world.applicant_a.notifications.count() == 5  # the inbox has them all
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == 1
    [digest] = mail.outbox
    assert digest.to == ["ns@example.com"]
    assert all(f"第{i}件事" in digest.body for i in range(5))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == 0  # a second run sends nothing
    assert len(mail.outbox) == 1
    assert world.officer_nanshan.notifications.filter(digest=Notification.Digest.SENT).count() == 5


def test_the_digest_task_is_in_the_beat_schedule(settings):
    from accounts.tasks import send_digests as task

    entry = settings.CELERY_BEAT_SCHEDULE["daily-digest"]
    assert entry["task"] == task.name == "accounts.send_digests"
    assert entry["schedule"].hour == {18}


def test_a_user_chooses_the_digest(client, world):
    client.force_login(world.applicant_a)
    assert client.get(reverse("email_preference")).status_code == 200
    client.post(reverse("email_preference"), {"email_preference": "digest"})
    world.applicant_a.refresh_from_db()
    assert world.applicant_a.email_preference == User.EmailPreference.DIGEST


def test_a_recheck_is_due_for_the_district_until_it_proposes_then_for_the_city(client, world):
    from registry.rechecks import propose_recheck, recheck_of

    listed = make_dossier(world.org_a, State.LISTED)
    rechecking = services.transition(listed, "open_recheck", by=world.officer_nanshan, reason="三年复核")
    client.force_login(world.officer_nanshan)
    due = {s["section"].key: s for s in client.get(reverse("todo")).context["sections"]}["rechecks"]
    assert due["count"] == 1 and due["items"][0]["url"] == reverse("rechecks")
    # No date for the findings in 第二十一条: a recheck opened before its triennial due date shows none.
    assert due["items"][0]["deadline"] is None or due["items"][0]["deadline"] <= datetime.date.today()
    propose_recheck(recheck_of(rechecking), findings="符合要求", proposal="keep", by=world.officer_nanshan)
    assert {s["section"].key: s for s in client.get(reverse("todo")).context["sections"]}["rechecks"]["count"] == 0
    client.force_login(world.municipal)
    assert {s["section"].key: s for s in client.get(reverse("todo")).context["sections"]}["rechecks"]["count"] == 1
