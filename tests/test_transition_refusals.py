"""Issue 14: no transition error surfaces as a 500; whatever escapes a view becomes the rule's message."""

import pytest
from django.urls import reverse
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from applications import services
from applications.models import State
from tests.conftest import make_dossier

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (TransitionNotAllowed("Can't switch from state 'submitted' using method 'recommend'"), "当前状态"),
        (ConcurrentTransition("state changed"), "已被他人更改"),
        (services.TransitionRefused("第二十四条：测试拒绝"), "第二十四条：测试拒绝"),
    ],
)
def test_an_fsm_error_that_escapes_a_view_is_a_message_not_a_500(client, world, monkeypatch, error, shown):
    dossier = make_dossier(world.org_a, State.SUBMITTED)

    def refuse(*args, **kwargs):
        raise error

    # The view catches TransitionRefused itself; the others reach the safety net.
    monkeypatch.setattr("applications.views.dossiers.services.transition", refuse)
    client.raise_request_exception = False
    client.force_login(world.officer_nanshan)
    page = reverse("dossier_detail", args=[dossier.pk])
    response = client.post(
        reverse("dossier_transition", args=[dossier.pk, "return_for_revision"]), {"reason": "补充"}, HTTP_REFERER=page
    )
    assert response.status_code in (302, 303)
    assert response.url.endswith(page)
    followed = client.get(page)
    assert shown in followed.content.decode()


def test_a_concurrent_save_is_a_stale_state_refusal(world, monkeypatch):
    dossier = make_dossier(world.org_a, State.SUBMITTED)

    def overtaken(self, *args, **kwargs):
        raise ConcurrentTransition("state changed")

    monkeypatch.setattr(type(dossier), "save", overtaken)
    with pytest.raises(services.StaleState):
        services.transition(dossier, "return_for_revision", reason="补充")
