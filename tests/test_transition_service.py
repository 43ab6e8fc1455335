import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from accounts.models import Notification
from applications import services
from applications.models import Path, State, TransitionLog
from tests.conftest import at, checked, make_dossier

pytestmark = pytest.mark.django_db


def test_each_transition_writes_one_log_row_with_actor_states_and_reason(world):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    before = TransitionLog.objects.count()
    services.transition(
        dossier, "return_for_revision", by=world.officer_nanshan, reason="缺少能源审计报告", now=at(2026, 3, 5)
    )
    assert TransitionLog.objects.count() == before + 1
    entry = TransitionLog.objects.latest("pk")
    assert (entry.dossier_id, entry.transition, entry.from_state, entry.to_state) == (
        dossier.pk, "return_for_revision", State.SUBMITTED, State.RETURNED,
    )  # fmt: skip
    assert entry.actor == world.officer_nanshan
    assert entry.reason == "缺少能源审计报告"
    assert entry.at == at(2026, 3, 5)


def test_a_system_transition_is_logged_with_no_actor(world):
    dossier = make_dossier(world.org_a)
    services.transition(dossier, "lapse", now=at(2026, 5, 31, 0, 5), via=Path.SWEEP)
    entry = TransitionLog.objects.latest("pk")
    assert entry.actor is None
    assert entry.actor_label == "系统"


def test_pooling_logs_the_creation(world):
    dossier = make_dossier(world.org_a)
    entries = list(dossier.transitions.values_list("transition", "from_state", "to_state"))
    assert entries == [("create", "", State.POOLED)]


def test_field_history_records_the_change_and_its_user(world):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    services.transition(dossier, "return_for_revision", by=world.officer_nanshan, reason="补充", now=at(2026, 3, 5))
    latest = dossier.history.latest()
    assert latest.state == State.RETURNED
    assert latest.return_reason == "补充"
    assert latest.history_user == world.officer_nanshan
    assert latest.prev_record.state == State.SUBMITTED


def test_reason_is_required_for_a_return(world):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    with pytest.raises(services.TransitionRefused):
        services.transition(dossier, "return_for_revision", by=world.officer_nanshan, reason="  ")
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED


def test_acting_on_a_stale_copy_is_refused_and_logs_nothing(world):
    stale = make_dossier(world.org_a, State.SUBMITTED)
    fresh = checked(type(stale).objects.get(pk=stale.pk))
    services.transition(fresh, "recommend", by=world.officer_nanshan, now=at(2026, 5, 20))
    count = TransitionLog.objects.count()
    with pytest.raises(services.StaleState) as info:
        services.transition(stale, "return_for_revision", by=world.officer_nanshan, reason="x", now=at(2026, 5, 21))
    assert "已被他人更改" in info.value.message
    assert TransitionLog.objects.count() == count


def test_refused_transition_changes_nothing(world):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    count, history = TransitionLog.objects.count(), dossier.history.count()
    with pytest.raises(services.TransitionRefused):
        services.transition(dossier, "recommend", now=at(2026, 6, 1))
    assert (TransitionLog.objects.count(), dossier.history.count()) == (count, history)


def test_notifications_are_sent_only_after_commit(world, django_capture_on_commit_callbacks):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.transition(dossier, "return_for_revision", by=world.officer_nanshan, reason="补充", now=at(2026, 3, 5))
    assert Notification.objects.filter(recipient=world.applicant_a).count() == 0
    assert mail.outbox == []
    assert callbacks  # the notification (and the public list's cache refresh) wait for the commit
    with django_capture_on_commit_callbacks(execute=True):  # the commit: the outbox is sent after it in turn
        for callback in callbacks:
            callback()
    notes = Notification.objects.filter(recipient=world.applicant_a)
    assert notes.count() == 1
    assert "退回修改" in notes.get().title
    # The actor is not told about their own action; the applicant gets an email too.
    assert Notification.objects.filter(recipient=world.officer_nanshan).count() == 0
    assert [m.to for m in mail.outbox] == [["a@example.com"]]


def test_log_rows_cannot_be_edited_or_deleted(world):
    make_dossier(world.org_a)
    entry = TransitionLog.objects.get()
    entry.reason = "改写"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        TransitionLog.objects.all().delete()
    with pytest.raises(PermissionDenied):
        TransitionLog.objects.update(reason="改写")
    assert TransitionLog.objects.get().reason == ""
