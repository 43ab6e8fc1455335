"""Deadline sweeps owned by this app (after healthchecks' sendalerts).

Each sweep takes ``now`` (so staff can run it "as of" a date), selects its rows by state and an
indexed due column, and acts on each through a locked, state-checked operation: a second run, or a
second worker at the same moment, changes nothing. Each returns a list of lines saying what changed.
"""

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import Digest, notify_each, notify_once
from applications import annual, services
from applications.models import AnnualReport, Dossier, Path, State
from applications.models.annual import ANNUAL_DUE_MONTH_DAY
from applications.models.dossiers import BEFORE_RECOMMENDATION
from applications.models.guards import recommendation_deadline
from applications.models.organisations import Agency
from greenfactory.chunks import claim, claim_keys, in_chunks

log = logging.getLogger("greenfactory.deadlines")
REMINDER_DAYS = (14, 3)  # before 30 May (第十五条)
ANNUAL_REMINDER_DAYS = (1, 10)  # of March (第十九条)


def local_today(now):
    return timezone.localdate(now)


def latest_closed_cycle(now):
    """The latest cycle year whose 30 May deadline (第十五条) has passed at ``now``."""
    year = local_today(now).year
    return year if now > recommendation_deadline(year) else year - 1


def lapse_unrecommended(now):
    """第十五条: after 30 May, dossiers of the cycle still pooled, submitted or returned lapse.

    In chunks that commit as they go (``greenfactory.chunks``); each applicant is told of its own dossier,
    each district once per run with the list of its units, and the city with the count per district.
    """
    closed = latest_closed_cycle(now)
    reason = _("Not recommended by 30 May (Art. 15)")
    candidates = Dossier.objects.filter(state__in=BEFORE_RECOMMENDATION, cycle_year__lte=closed)
    digest = Digest(
        title=_("30 May deadline: %(n)d units of %(district)s were not recommended and lapsed (Art. 15)"),
        city_title=_("30 May deadline: %(n)d units were not recommended and lapsed (Art. 15)"),
        url="/district/recommendation/",
    )

    def lapse_chunk(pks):
        rows = claim(Dossier.objects.filter(pk__in=pks, state__in=BEFORE_RECOMMENDATION), of=("self",))
        rows = list(rows.select_related("organisation").order_by("pk"))
        lapsed, _refused = services.transition_many(rows, "lapse", now=now, reason=reason, via=Path.SWEEP)
        news = [(dossier, lapsed_line(dossier)) for dossier in lapsed]
        for dossier, line in news:
            digest.add(dossier.organisation.district_id, line)
        tell_applicants(news, reason=reason)
        return [line for _d, line in news]

    changes = in_chunks(candidates.order_by("pk").values_list("pk", flat=True), lapse_chunk)
    digest.send()
    return changes


def lapsed_line(dossier):
    return _("%(organisation)s (%(year)s): lapsed") % {"organisation": dossier.organisation, "year": dossier.cycle_year}


def tell_applicants(news, *, reason):
    """Each applicant hears of its own dossier: [(dossier, line)] → one query, one insert (on commit)."""
    if not news:
        return
    from accounts.models import Role, User

    users = {}
    applicants = User.objects.filter(
        role=Role.APPLICANT, organisation_id__in={d.organisation_id for d, _l in news}, is_active=True
    )
    for user in applicants:
        users.setdefault(user.organisation_id, []).append(user)
    items = [
        (users.get(d.organisation_id, []), line, reason, reverse("dossier_detail", args=[d.pk]))
        for d, line in news
        if users.get(d.organisation_id)
    ]
    transaction.on_commit(lambda: notify_each(items))


def recommendation_reminders(now):
    """第十五条: 14 and 3 days before 30 May, tell each district what it has not yet recommended."""
    today = local_today(now)
    deadline = recommendation_deadline(today.year).date()
    days = (deadline - today).days
    if days not in REMINDER_DAYS:
        return []
    changes = []
    waiting = (
        Dossier.objects.filter(cycle_year=today.year, state__in=BEFORE_RECOMMENDATION)
        .values_list("organisation__district_id", "organisation__district__name")
        .order_by()
    )
    counts = {}
    for district_id, name in waiting:
        counts.setdefault((district_id, name), 0)
        counts[(district_id, name)] += 1
    for (district_id, name), count in sorted(counts.items()):
        title = _(
            "%(days)d days to the 30 May recommendation deadline (Art. 15): %(count)d dossiers not yet recommended"
        ) % {
            "days": days,
            "count": count,
        }
        sent = notify_once(
            f"recommendation-{today.year}-{days}d-{district_id}",
            scoping.district_officers(district_id),
            title=title,
            url="/district/recommendation/",
        )
        if sent:
            changes.append(f"{name}: {title}")
    return changes


def annual_form_reminders(now):
    """第十九条: on 1 and 10 March open this year's forms for every unit listed before the year, and remind.

    In chunks that commit as they go; each chunk claims its dossiers, opens their missing forms at once
    (``annual.open_reports``), claims the reminder keys not yet sent (``claim_keys``) and sends them in one
    insert (the same message to each unit's active users as ``notify_once`` one by one).
    """
    from accounts.models import User

    today = local_today(now)
    if (today.month, today.day) not in [(3, d) for d in ANNUAL_REMINDER_DAYS]:
        return []
    due = datetime.date(today.year, *ANNUAL_DUE_MONTH_DAY)
    listed = Dossier.objects.filter(
        state__in=[State.LISTED, State.RECHECKING], listed_on__lt=datetime.date(today.year, 1, 1)
    )
    title = _("Please file the %(year)d annual dynamic-management form by %(due)s (Art. 19)") % {
        "year": today.year,
        "due": due.isoformat(),
    }

    def key(report):
        return f"annual-{today.year}-{today.day}-{report.pk}"

    def remind_chunk(pks):
        dossiers = list(claim(listed.filter(pk__in=pks), of=("self",)).select_related("organisation").order_by("pk"))
        reports = annual.open_reports([d.pk for d in dossiers], today.year)
        due_now = [(d, reports[d.pk]) for d in dossiers if reports[d.pk].status == AnnualReport.Status.DUE]
        claimed = claim_keys(key(r) for _d, r in due_now)
        due_now = [(d, r) for d, r in due_now if key(r) in claimed]
        if not due_now:
            return []
        users = {}
        for user in User.objects.filter(organisation_id__in={d.organisation_id for d, _r in due_now}, is_active=True):
            users.setdefault(user.organisation_id, []).append(user)
        told = [d for d, _r in due_now if users.get(d.organisation_id)]
        items = [(users[d.organisation_id], title, "", "") for d in told]
        transaction.on_commit(lambda: notify_each(items))
        return [f"{d.organisation}: {title}" for d in told]

    return in_chunks(listed.order_by("pk").values_list("pk", flat=True), remind_chunk)


OVERDUE_REASON = "overdue (Art. 21(2))"


def mark_overdue_annual_forms(now):
    """第十九条, 第二十一条第（二）项: forms not filed by 15 March become overdue; the district is told.

    Every unit due a form is flagged, whether or not a reminder run opened its form: the missing forms of
    the last year that fell due are opened first (idempotent, in chunks), then claimed a chunk at a time and
    flagged in one UPDATE with one history row each (as ``save`` one by one); each district gets one digest.
    """
    today = local_today(now)
    annual.open_missing_reports(annual.last_due_year(today))
    pending = AnnualReport.objects.filter(status=AnnualReport.Status.DUE, overdue_at__isnull=True)
    candidates = pending.filter(due_on__lt=today)
    digest = Digest(
        title=_("%(district)s: %(n)d units have not filed their annual form (Art. 21(2) removal ground)"),
        url="/annual/",
    )

    def overdue_chunk(pks):
        rows = claim(pending.filter(pk__in=pks), of=("self",))
        reports = list(rows.select_related("dossier__organisation").order_by("pk"))
        if not reports:
            return []
        pending.filter(pk__in=[r.pk for r in reports]).update(overdue_at=now)
        for report in reports:
            report.overdue_at = now
            report._change_reason = OVERDUE_REASON
        AnnualReport.history.bulk_history_create(reports, update=True, batch_size=500)
        changes = []
        for report in reports:
            organisation = report.dossier.organisation
            title = _("%(organisation)s has not filed its %(year)d annual form (Art. 21(2) removal ground)") % {
                "organisation": organisation,
                "year": report.year,
            }
            digest.add(organisation.district_id, title)
            changes.append(title)
        return changes

    changes = in_chunks(candidates.order_by("pk").values_list("pk", flat=True), overdue_chunk)
    digest.send()
    return changes


def lift_expired_bars(now):
    """第二十五条: agency bars end 3 years after the decision.

    Exclusions (第十二条, including item (3) after a removal) need no sweep: each is a dated fact that
    ``Organisation.active_exclusions`` counts only within its 3 years.
    """
    today = local_today(now)
    changes = []
    for pk in Agency.objects.filter(barred_until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            agency = claim(Agency.objects.filter(pk=pk, barred_until__lt=today)).first()
            if agency is None:
                continue
            agency.barred_until = None
            agency._change_reason = "bar ended (Art. 25)"
            agency.save()
        changes.append(_("Agency %(agency)s: bar lifted (Art. 25)") % {"agency": agency})
    return changes
