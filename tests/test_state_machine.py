"""The state machine has exactly the states and edges of DOMAIN.md, and no other way to move."""

import pytest
from django.core.exceptions import PermissionDenied

from applications import services
from applications.models import Dossier, State
from tests.conftest import make_dossier

S = State
# (transition, sources, target) — the table of DOMAIN.md, written out independently of the model.
EXPECTED_EDGES = {
    ("submit", frozenset({S.POOLED, S.RETURNED}), S.SUBMITTED),
    ("return_for_revision", frozenset({S.SUBMITTED}), S.RETURNED),
    ("recommend", frozenset({S.SUBMITTED}), S.RECOMMENDED),
    ("pass_conformity", frozenset({S.RECOMMENDED}), S.IN_LIBRARY),
    ("fail_conformity", frozenset({S.RECOMMENDED}), S.NOT_PASSED),
    ("open_review", frozenset({S.IN_LIBRARY}), S.IN_REVIEW),
    ("select_for_publicity", frozenset({S.IN_REVIEW}), S.IN_PUBLICITY),
    ("nominate", frozenset({S.IN_REVIEW}), S.NOMINATED),
    ("not_select", frozenset({S.IN_REVIEW}), S.NOT_PASSED),
    ("uphold_objection", frozenset({S.IN_PUBLICITY}), S.NOT_PASSED),
    ("publish", frozenset({S.IN_PUBLICITY}), S.LISTED),
    ("include_in_national_list", frozenset({S.NOMINATED}), S.LISTED),
    ("exclude_from_national_list", frozenset({S.NOMINATED}), S.NOT_PASSED),
    ("open_recheck", frozenset({S.LISTED}), S.RECHECKING),
    ("keep_after_recheck", frozenset({S.RECHECKING}), S.LISTED),
    ("remove", frozenset({S.LISTED, S.RECHECKING}), S.REMOVED),
    (
        "withdraw",
        frozenset({S.POOLED, S.SUBMITTED, S.RETURNED, S.RECOMMENDED, S.IN_LIBRARY, S.IN_REVIEW}),
        S.WITHDRAWN,
    ),
    ("lapse", frozenset({S.POOLED, S.SUBMITTED, S.RETURNED}), S.LAPSED),
}


def model_edges():
    edges = set()
    for transition in Dossier._meta.get_field("state").get_all_transitions(Dossier):
        edges.add((transition.name, transition.source, transition.target))
    grouped = {}
    for name, source, target in edges:
        grouped.setdefault((name, target), set()).add(source)
    return {(name, frozenset(sources), target) for (name, target), sources in grouped.items()}


def test_states_are_exactly_those_of_the_domain():
    assert [c for c, _ in State.choices] == [
        "pooled", "submitted", "returned", "recommended", "in_library", "in_review", "in_publicity",
        "nominated", "listed", "rechecking", "removed", "withdrawn", "not_passed", "lapsed",
    ]  # fmt: skip


def test_edges_are_exactly_those_of_the_domain_table():
    assert model_edges() == EXPECTED_EDGES


def test_every_state_is_reachable_and_every_non_ending_state_can_be_left():
    targets = {target for _, _, target in EXPECTED_EDGES} | {S.POOLED}
    sources = set().union(*(sources for _, sources, _ in EXPECTED_EDGES))
    assert targets == set(State)
    assert sources == set(State) - {S.REMOVED, S.WITHDRAWN, S.NOT_PASSED, S.LAPSED}


@pytest.mark.django_db
def test_state_cannot_be_assigned_directly(world):
    dossier = make_dossier(world.org_a)
    with pytest.raises(AttributeError):
        dossier.state = State.LISTED


@pytest.mark.django_db
def test_queryset_update_of_state_is_refused(world):
    make_dossier(world.org_a)
    with pytest.raises(PermissionDenied):
        Dossier.objects.update(state=State.LISTED)
    assert list(Dossier.objects.values_list("state", flat=True)) == [State.POOLED]


@pytest.mark.django_db
def test_an_edge_not_in_the_table_is_refused_with_a_message(world):
    dossier = make_dossier(world.org_a)
    with pytest.raises(services.TransitionRefused) as refused:
        services.transition(dossier, "publish")
    assert refused.value.message == "当前状态“已入培育库”不能执行此操作。"
    dossier.refresh_from_db()
    assert dossier.state == State.POOLED


# Which paths may trigger each transition, written from the regulation independently of the model:
# a transition that needs a record or parameters (a checklist, a list and rank, a ground) runs only
# through its own service; the national list moves only by import; 第十五条's lapse only by the sweep.
E, SV, SW, IM = "endpoint", "service", "sweep", "import"
EXPECTED_PATHS = {
    "submit": {SV},
    "return_for_revision": {E, SV},
    "recommend": {SV},
    "pass_conformity": {SV},
    "fail_conformity": {SV},
    "open_review": {E, SV},
    "select_for_publicity": {SV},
    "nominate": {SV},
    "not_select": {E, SV},
    "uphold_objection": {SV},
    "publish": {SV},
    "include_in_national_list": {IM},
    "exclude_from_national_list": {IM},
    "open_recheck": {E, SV, SW},
    "keep_after_recheck": {SV},
    "remove": {SV},
    "withdraw": {E, SV},
    "lapse": {SW},
}


def test_every_transition_has_exactly_the_expected_paths():
    from applications.models import TRANSITION_PATHS

    assert {name: {str(p) for p in paths} for name, paths in TRANSITION_PATHS.items()} == EXPECTED_PATHS
    assert {name for name, _s, _t in EXPECTED_EDGES} == set(EXPECTED_PATHS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, paths in EXPECTED_PATHS.items() if E not in paths))
def test_the_generic_endpoint_never_runs_a_transition_without_that_path(client, world, name):
    from accounts.models import Role
    from tests.factories import UserFactory

    superuser = UserFactory(username="root", role=Role.STAFF, is_superuser=True, is_staff=True)
    dossier = make_dossier(world.org_a)
    client.force_login(superuser)
    response = client.post(f"/dossiers/{dossier.pk}/do/{name}/", {"reason": "直接调用"}, follow=True)
    assert response.status_code in (200, 404)
    dossier.refresh_from_db()
    assert dossier.state == State.POOLED
    with pytest.raises(services.TransitionRefused):
        services.transition(dossier, name, by=superuser, reason="直接调用", via="endpoint")
