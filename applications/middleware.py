"""No refused or overtaken transition reaches a person as a 500 (issue 14).

``services.transition`` turns django-fsm's refusals into ``TransitionRefused`` with the rule's message, and views
catch it; this is the safety net for any path that does not: a refusal that escapes a view (a django-fsm
``TransitionNotAllowed`` or ``ConcurrentTransition``, a ``TransitionRefused``) becomes the refusal's message on
the page the person came from, with 303 See Other, and a warning in the log with the request's id.
"""

import logging

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from applications.services import TransitionRefused

log = logging.getLogger("greenfactory.transitions")

REFUSALS = (TransitionRefused, TransitionNotAllowed, ConcurrentTransition)


def refusal_message(error):
    if isinstance(error, TransitionRefused):
        return error.message
    if isinstance(error, ConcurrentTransition):
        return _("This dossier was changed by someone else meanwhile; please reload the page and try again.")
    return _("This action is not possible in the dossier's current state; please reload the page.")


class TransitionRefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, REFUSALS):
            return None
        log.warning("refused on %s %s: %s", request.method, request.path, exception)
        messages.error(request, refusal_message(exception))
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
            back = request.path if request.method == "GET" else "/"
        response = HttpResponseRedirect(back)
        response.status_code = 303
        return response
