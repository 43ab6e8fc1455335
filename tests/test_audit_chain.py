"""Issue 14: the audit trail cannot be rewritten without trace.

Every transition-log row is linked to its dossier's previous row by a hash; ``verify_audit`` finds a changed
row, a deleted row, a row inserted by hand and a state changed behind the log. On PostgreSQL the database
refuses UPDATE and DELETE of the log (and of every other append-only table) from any client.
"""

import io
import itertools

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from accounts.models import Notification, Role
from applications import services, transition_chain
from applications.append_only_sql import append_only_models, installed
from applications.models import Dossier, State, TransitionLog
from applications.models.append_only import AppendOnlyRefused
from audit.integrity import verify_audit_trail
from audit.models import AuditEvent, EventType
from greenfactory.sweeps import run_sweep
from registry.models import Removal
from tests.conftest import at, make_dossier
from tests.factories import OrganisationFactory, UserFactory, declare_eligible

pytestmark = pytest.mark.django_db


def organisation():
    org = OrganisationFactory()
    declare_eligible(org)
    return org


@pytest.fixture
def trail(world):
    """Dossiers along the path, one of them returned and resubmitted: several rows per chain."""
    listed = make_dossier(organisation(), State.LISTED, year=2026)
    returned = services.transition(
        make_dossier(organisation(), State.SUBMITTED, year=2027), "return_for_revision", reason="补充"
    )
    pooled = make_dossier(organisation(), year=2027)
    return listed, returned, pooled


def raw(sql, params=()):
    """A statement sent around the ORM, as a person with database access would. On PostgreSQL the append-only
    triggers are bypassed the way only a database superuser can (``session_replication_role``), to show that
    even then the change is found."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def kinds(problems):
    return sorted({p.kind for p in problems})


def test_every_row_links_to_its_dossiers_previous_row(trail):
    listed = trail[0]
    rows = list(TransitionLog.objects.filter(dossier=listed).order_by("pk"))
    assert len(rows) >= 5
    assert rows[0].prev_hash == transition_chain.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.row_hash
    assert all(row.row_hash == transition_chain.hash_of(row) for row in rows)
    checked, problems = transition_chain.verify()
    assert checked == TransitionLog.objects.count()
    assert problems == []


def test_a_sweeps_bulk_rows_are_linked_too(trail, django_capture_on_commit_callbacks):
    run_sweep("lapse_unrecommended", at(2027, 5, 31, 0, 5))
    lapsed = TransitionLog.objects.filter(transition="lapse")
    assert lapsed.count() == 2
    assert transition_chain.verify()[1] == []


def test_a_row_changed_behind_the_application_is_found(trail):
    row = TransitionLog.objects.filter(dossier=trail[1], transition="return_for_revision").get()
    raw("UPDATE applications_transitionlog SET reason = %s WHERE id = %s", ["无需补充", row.pk])
    _rows, problems = transition_chain.verify()
    assert [(p.kind, p.log_id) for p in problems] == [("changed", row.pk)]


def test_a_deleted_row_is_found(trail):
    rows = list(TransitionLog.objects.filter(dossier=trail[0]).order_by("pk"))
    raw("DELETE FROM applications_transitionlog WHERE id = %s", [rows[2].pk])
    _rows, problems = transition_chain.verify()
    assert [(p.kind, p.log_id) for p in problems] == [("broken", rows[3].pk)]


def test_deleting_the_last_row_or_changing_the_state_behind_the_log_is_found(trail):
    listed, returned, _pooled = trail
    Dossier._base_manager.filter(pk=listed.pk).update(state=State.REMOVED)
    last = TransitionLog.objects.filter(dossier=returned).latest("pk")
    raw("DELETE FROM applications_transitionlog WHERE id = %s", [last.pk])
    _rows, problems = transition_chain.verify()
    assert sorted((p.kind, p.dossier_id) for p in problems) == [("state", listed.pk), ("state", returned.pk)]


def test_a_row_inserted_by_hand_is_found(trail):
    pooled = trail[2]
    raw(
        "INSERT INTO applications_transitionlog "
        "(dossier_id, transition, from_state, to_state, reason, at, prev_hash, row_hash) "
        "VALUES (%s, 'submit', 'pooled', 'pooled', '', %s, '', '')",
        [pooled.pk, at(2027, 3, 1)],
    )
    assert kinds(transition_chain.verify()[1]) == ["broken", "changed"]


def test_verify_audit_reports_and_exits_1_on_a_problem_0_when_clean(trail):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "OK" in out.getvalue()
    Dossier._base_manager.filter(pk=trail[2].pk).update(state=State.WITHDRAWN)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("verify_audit", stdout=out, stderr=err)
    assert exited.value.code == 1
    assert f"dossier {trail[2].pk}" in out.getvalue()
    assert "1 problem(s)" in err.getvalue()


def test_the_daily_sweep_tells_the_city_and_records_it(trail):
    auditor = UserFactory(username="auditor", role=Role.AUDITADMIN)
    assert verify_audit_trail(at(2027, 6, 1, 2, 0)) == []
    assert not AuditEvent.objects.filter(event_type=EventType.INTEGRITY_ALERT).exists()
    Dossier._base_manager.filter(pk=trail[2].pk).update(state=State.WITHDRAWN)
    lines = verify_audit_trail(at(2027, 6, 2, 2, 0))
    assert len(lines) == 1
    event = AuditEvent.objects.get(event_type=EventType.INTEGRITY_ALERT)
    assert event.detail["problems"] == 1
    told = Notification.objects.filter(title__contains="完整性")
    assert told.filter(recipient=auditor).exists()
    assert told.filter(recipient__role=Role.MUNICIPAL).exists()


def test_the_log_refuses_an_upsert_in_python(trail):
    row = TransitionLog.objects.first()
    copy = TransitionLog(pk=row.pk, dossier_id=row.dossier_id, transition="x", to_state="listed", at=row.at)
    with pytest.raises(AppendOnlyRefused):
        TransitionLog.objects.bulk_create([copy], update_conflicts=True, unique_fields=["id"], update_fields=["reason"])


@pytest.mark.postgres
def test_postgresql_refuses_raw_update_and_delete_of_a_log_row(trail):
    row = TransitionLog.objects.first()
    for sql in (
        "UPDATE applications_transitionlog SET reason = 'x' WHERE id = %s",
        "DELETE FROM applications_transitionlog WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TransitionLog._base_manager.filter(pk=row.pk).update(reason="x")
    assert TransitionLog.objects.get(pk=row.pk).reason == row.reason


@pytest.mark.postgres
def test_postgresql_guards_every_append_only_table_but_lets_the_mutable_columns_change(world):
    tables = installed()
    for model in append_only_models():
        assert model._meta.db_table in tables, model
    listed = make_dossier(organisation(), State.LISTED, year=2026)
    from applications.models import RemovalGround
    from registry.services import remove_from_list

    remove_from_list(listed, ground=RemovalGround.ANNUAL_FORM_NOT_FILED, reason="逾期", by=world.municipal)
    removal = Removal.objects.get()
    with connection.cursor() as cursor:  # reported_to_miit is the one column that changes (第二十二条)
        cursor.execute("UPDATE registry_removal SET reported_to_miit = true WHERE id = %s", [removal.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE registry_removal SET reason = 'x' WHERE id = %s", [removal.pk])
