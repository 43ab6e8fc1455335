"""The daily check of the transition log's hash chains (issue 14): if anything is off, the city is told.

``applications.transition_chain.verify`` does the checking; this sweep records the outcome in the audit log and
notifies the municipal reviewers and the audit and security administrators (the rows name dossiers and log rows,
never their content). ``manage.py verify_audit`` runs the same check by hand and lists every problem.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.notifications import notify
from applications import transition_chain
from audit.models import EventType
from audit.services import record

TOLD = (Role.MUNICIPAL, Role.AUDITADMIN, Role.SECADMIN)


def verify_audit_trail(now):
    """Sweep: check every chain and dossier state; on a problem, one audit row and one notification each."""
    limit = getattr(settings, "VERIFY_AUDIT_MAX_PROBLEMS", 1000)
    rows, problems = transition_chain.verify(limit=limit)
    if not problems:
        return []
    lines = [str(problem) for problem in problems]
    record(
        EventType.INTEGRITY_ALERT,
        request=False,
        target="applications_transitionlog",
        detail={"rows_checked": rows, "problems": len(problems), "first": lines[:50]},
        at=now,
    )
    count = len(problems)
    notify(
        User.objects.filter(is_active=True, role__in=TOLD),
        title=_("Integrity check: the transition log has %(count)d problem(s)") % {"count": count},
        body=_(
            "The daily check found rows changed or deleted, or dossier states that differ from their log "
            "(%(first)s). Ask the system administrator to run manage.py verify_audit for the full list and "
            "to compare with the last backup."
        )
        % {"first": "; ".join(lines[:5])},
    )
    return lines
