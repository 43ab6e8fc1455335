"""Issue 13: the 待办 and unread counts (the navigation badge on every page) are cached between pages, and the
user's own actions, their notifications and the 待办 page itself count again (``accounts.todo.counts``)."""

import pytest
from django.urls import reverse

from accounts import todo
from accounts.models import User
from accounts.notifications import notify
from applications.models import State
from tests.conftest import make_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.TODO_COUNTS_CACHE_SECONDS = 30


def total(user):
    return todo.counts(User.objects.get(pk=user.pk))["total"]  # a fresh object: no per-request memo


def unread(user):
    return todo.counts(User.objects.get(pk=user.pk))["unread"]


def test_counts_are_kept_between_pages_and_the_todo_page_counts_afresh(world, cached):
    officer = world.officer_nanshan
    before = total(officer)
    make_dossier(world.org_a, State.SUBMITTED)  # work for the officer, arranged without telling them
    assert total(officer) == before  # the badge of the next page: the cached count
    fresh = todo.counts(User.objects.get(pk=officer.pk), fresh=True)["total"]
    assert fresh == before + 1


def test_the_users_own_action_counts_again(client, world, cached):
    officer = world.officer_nanshan
    before = total(officer)
    make_dossier(world.org_a, State.SUBMITTED)
    client.force_login(officer)
    assert client.post(reverse("inbox_mark_read")).status_code == 302
    assert total(officer) == before + 1


def test_a_notification_counts_again_for_its_recipient(world, cached, django_capture_on_commit_callbacks):
    officer, other = world.officer_nanshan, world.officer_futian
    assert unread(officer) == unread(other) == 0
    with django_capture_on_commit_callbacks(execute=True):
        notify([officer], title="新的待办")
    assert unread(officer) == 1
    with django_capture_on_commit_callbacks(execute=True):
        notify([officer], title="再一条")
    assert unread(officer) == 2


def test_without_the_setting_every_page_counts(world, settings):
    settings.TODO_COUNTS_CACHE_SECONDS = 0
    officer = world.officer_nanshan
    before = total(officer)
    make_dossier(world.org_a, State.SUBMITTED)
    assert total(officer) == before + 1
