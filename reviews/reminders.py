"""第十七条: remind experts of the round's scoring deadline — 3 days before, 1 day before, and once overdue.

A sweep like the others (``greenfactory/sweeps.py``, scheduled daily): it selects the assignments still
waiting for final scores in rounds whose deadline is at most 3 days away, and sends each stage of each
assignment once. What was sent is kept as ``SentReminder`` keys (``scoring-<assignment>-<stage>``), claimed
all at once under the table's unique constraint (``greenfactory.chunks.claim_keys``) and sent in one insert,
so a second run — or a second worker — sends nothing new. A missed
day does not lose a reminder: a stage is due for the whole window up to the next one.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.notifications import notify_each
from applications.models import State
from greenfactory.chunks import claim_keys
from reviews.expert_review import days_left, with_scoring_deadline
from reviews.models import ExpertAssignment, Review

FIRST_REMINDER_DAYS = 3
STAGES = ("3d", "1d", "overdue")


def stage_of(left):
    """The reminder due ``left`` days before the deadline (negative: overdue), or None."""
    if left is None or left > FIRST_REMINDER_DAYS:
        return None
    if left < 0:
        return "overdue"
    return "1d" if left <= 1 else "3d"


def pending_assignments(today):
    """Assignments without a declared conflict, under review, with no final scores, deadline ≤ 3 days away."""
    final = Review.objects.filter(assignment=OuterRef("pk"), finalised_at__isnull=False)
    return (
        with_scoring_deadline(
            ExpertAssignment.objects.filter(
                conflict_declared=False, dossier__state=State.IN_REVIEW, expert__is_active=True
            ).exclude(Exists(final))
        )
        .filter(scoring_deadline__isnull=False, scoring_deadline__lte=today + datetime.timedelta(FIRST_REMINDER_DAYS))
        .select_related("expert", "dossier__organisation")
        .order_by("expert_id", "scoring_deadline", "pk")
    )


def _message(stage, deadline, left, dossiers):
    values = {"date": deadline.isoformat(), "days": left}
    if stage == "overdue":
        title = _("The scoring deadline %(date)s has passed: please submit your final scores") % values
    elif left == 0:
        title = _("The scoring deadline is today (%(date)s): please submit your final scores") % values
    else:
        title = (
            ngettext(
                "The scoring deadline %(date)s is in %(days)d day: please submit your final scores",
                "The scoring deadline %(date)s is in %(days)d days: please submit your final scores",
                left,
            )
            % values
        )
    body = _("Expert review (Art. 17), waiting for your final scores: %(names)s. A draft is not counted.") % {
        "names": "、".join(dossiers)
    }
    return title, body


def send_scoring_reminders(today):
    """Send the reminders due on ``today``; one inbox message per expert, deadline and stage. Returns lines."""
    due = defaultdict(list)  # (expert, deadline, stage) -> [assignment]
    for assignment in pending_assignments(today):
        stage = stage_of(days_left(assignment.scoring_deadline, today))
        if stage is not None:
            due[(assignment.expert, assignment.scoring_deadline, stage)].append(assignment)
    changes, items = [], []
    url = reverse("expert_assignments")
    with transaction.atomic():
        claimed = claim_keys(f"scoring-{a.pk}-{stage}" for (_e, _d, stage), group in due.items() for a in group)
        for (expert, deadline, stage), assignments in due.items():
            mine = [a for a in assignments if f"scoring-{a.pk}-{stage}" in claimed]
            if not mine:
                continue
            title, body = _message(
                stage, deadline, days_left(deadline, today), [a.dossier.organisation.name for a in mine]
            )
            items.append(([expert], title, body, url))
            changes.append(f"{expert}: {title}")
        if items:
            transaction.on_commit(lambda: notify_each(items))
    return changes


def scoring_reminders(now):
    """The sweep (``greenfactory.sweeps``): reminders due on ``now``'s date in Asia/Shanghai."""
    return send_scoring_reminders(timezone.localdate(now))
