"""待办: each role's work to do, built from states and deadlines (not from the inbox's messages).

A role has sections; each section is a scoped queryset (``accounts.scoping``, the one place deciding
visibility) and a way to say of each row what is to be done, about which unit, by when, and where.
``counts(user)`` reads every section's count and the unread notifications in ONE query (the navigation badge
and each role's home); the 待办 page adds one query per section for its first ``SHOWN`` rows; a section's full
list is paginated. Nothing here grows with the number of rows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import scoping
from accounts.models import ADMIN_ROLES, Role

SHOWN = 10  # rows per section on the 待办 page; the rest behind "and N more"


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    article: str
    rows: Callable  # (user, today) -> queryset, scoped and ordered by urgency
    item: Callable  # row -> dict(what, unit, deadline, url)


def _unit(dossier):
    return f"{dossier.organisation.name} · {dossier.get_kind_display()} · {dossier.cycle_year}"


def _recommendation_deadline(dossier):
    from applications.models.guards import recommendation_deadline

    return recommendation_deadline(dossier.cycle_year).date()


# ---- the rows of each section ----------------------------------------------------------------------------


def _open_years(today):
    from applications.models.guards import open_cycle_year

    return open_cycle_year(today)


def _applicant_submit(user, today):
    from applications.models import EDITABLE_STATES

    return (
        scoping.dossiers_for(user)
        .filter(state__in=EDITABLE_STATES, cycle_year__gte=_open_years(today))
        .order_by("cycle_year", "-state", "pk")
    )


def _annual_due(user, today):
    from applications.models import AnnualReport

    Status = AnnualReport.Status
    return scoping.annual_reports_for(user).filter(status__in=[Status.DUE, Status.CORRECTION]).order_by("due_on", "pk")


def _agency_reports(user, today):
    from applications.guidance import REPORT_AWAITED
    from applications.models import EDITABLE_STATES, EvaluationMode

    return (
        scoping.dossiers_for(user)
        .filter(
            state__in=EDITABLE_STATES,
            evaluation_mode=EvaluationMode.AGENCY,
            cycle_year__gte=_open_years(today),
        )
        .filter(REPORT_AWAITED)  # one rule with the agency's home list (applications/guidance.py)
        .order_by("cycle_year", "organisation_name", "pk")
    )


def _district_check(user, today):
    from applications.models import State

    return (
        scoping.dossiers_for(user)
        .filter(state=State.SUBMITTED, district_ready_at__isnull=True)
        .order_by("cycle_year", "submitted_at", "pk")
    )


def _district_recommend(user, today):
    from applications.models import State

    return (
        scoping.dossiers_for(user)
        .filter(state=State.SUBMITTED, district_ready_at__isnull=False)
        .order_by("cycle_year", "organisation_name", "pk")
    )


def _annual_to_check(user, today):
    from applications.models import AnnualReport

    return scoping.annual_reports_for(user).filter(status=AnnualReport.Status.SUBMITTED).order_by("submitted_at", "pk")


def _changes(status):
    def rows(user, today):
        from applications.models import AnnualChange

        return (
            AnnualChange.objects.filter(status=status, report__in=scoping.annual_reports_for(user).values("pk"))
            .select_related("report__dossier__organisation")
            .order_by("pk")
        )

    return rows


def _rechecks_to_propose(user, today):
    """Dossiers under recheck (第二十一条) without a pending proposal of the district (the ``Recheck`` row is
    made on first need, so a dossier the sweep just opened has none yet)."""
    from django.db.models import Exists

    from applications.models import State
    from registry.models import Recheck

    proposed = Recheck.objects.filter(dossier=OuterRef("pk"), proposed_at__isnull=False, decided_at__isnull=True)
    return (
        scoping.dossiers_for(user)
        .filter(state=State.RECHECKING)
        .filter(~Exists(proposed))
        .order_by(F("next_recheck_due").asc(nulls_last=True), "pk")
    )


def _rechecks_to_decide(user, today):
    return scoping.rechecks_for(user).filter(proposed_at__isnull=False, decided_at__isnull=True).order_by("proposed_at")


def _district_reports(user, today):
    from registry.models import Report

    return (
        scoping.district_reports_for(user)
        .exclude(status=Report.Status.DECIDED)
        .filter(district_proposal="")
        .order_by("received_at", "pk")
    )


def _city_state(state, order=("cycle_year", "organisation_name", "pk")):
    def rows(user, today):
        return scoping.dossiers_for(user).filter(state=state).order_by(*order)

    return rows


def _publicity(user, today):
    from applications.models import State

    return (
        scoping.dossiers_for(user)
        .filter(state=State.IN_PUBLICITY)
        .select_related("publicity_entry")
        .order_by("publicity_ends_on", "pk")
    )


def _objections(user, today):
    from reviews.models import Objection

    return (
        scoping.objections_for(user)
        .filter(status=Objection.Status.PENDING)
        .select_related("dossier__publicity_entry")
        .order_by("dossier__publicity_ends_on", "submitted_at", "pk")
    )


def _city_reports(user, today):
    from registry.models import Report

    return (
        scoping.reports_for(user)
        .exclude(status=Report.Status.DECIDED)
        .filter(Q(district__isnull=True) | ~Q(district_proposal=""))
        .order_by("received_at", "pk")
    )


def _expert_reviews(user, today):
    from applications.models import State
    from reviews.models import Round

    deadline = Round.objects.filter(year=OuterRef("dossier__cycle_year"), kind=OuterRef("dossier__kind")).values(
        "scoring_deadline"
    )[:1]
    return (
        scoping.assignments_for(user)
        .filter(dossier__state=State.IN_REVIEW)
        .filter(Q(review__isnull=True) | Q(review__finalised_at__isnull=True))
        .annotate(deadline=Subquery(deadline))
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )


# ---- what each row says ------------------------------------------------------------------------------------


def _submit_item(d):
    from applications.models import State

    what = _("Revise and resubmit (returned by the district)") if d.state == State.RETURNED else None
    return {
        "what": what or _("Complete the self-evaluation and submit the report"),
        "unit": _unit(d),
        "deadline": _recommendation_deadline(d),
        "url": reverse("dossier_detail", args=[d.pk]),
    }


def _annual_item(r):
    from applications.models import AnnualReport

    corrections = r.status == AnnualReport.Status.CORRECTION
    return {
        "what": (_("Correct the annual form %(year)d") if corrections else _("File the annual form %(year)d"))
        % {"year": r.year},
        "unit": _unit(r.dossier),
        "deadline": r.due_on,
        "url": reverse("annual_form", args=[r.dossier_id]),
    }


def _agency_item(d):
    from applications.models import State

    return {
        "what": _("Upload the corrected report (returned)") if d.state == State.RETURNED else _("Upload the report"),
        "unit": _unit(d),
        "deadline": _recommendation_deadline(d),
        "url": reverse("upload_report", args=[d.pk]),
    }


def _dossier_item(what, url_name="dossier_detail", deadline=None, by_pk=True):
    def item(d):
        return {
            "what": str(what),
            "unit": _unit(d),
            "deadline": deadline(d) if deadline else None,
            "url": reverse(url_name, args=[d.pk]) if by_pk else reverse(url_name),
        }

    return item


def _next_recheck(d):
    """第二十一条 sets no date for the district's findings: the triennial due date is shown only once it has come
    (a spot recheck under 第二十二条 opened years before it would otherwise show a far-off "deadline")."""
    due = d.next_recheck_due
    return due if due is not None and due <= timezone.localdate() else None


def _recommend_item(d):
    return {
        "what": _("Recommend to the city"),
        "unit": _unit(d),
        "deadline": _recommendation_deadline(d),
        "url": f"{reverse('district_batch')}?year={d.cycle_year}",
    }


def _annual_check_item(r):
    return {
        "what": _("Check the annual form %(year)d") % {"year": r.year},
        "unit": _unit(r.dossier),
        "deadline": None,
        "url": reverse("annual_detail", args=[r.pk]),
    }


def _change_item(what, url_name, by_report):
    def item(c):
        return {
            "what": f"{what}: {c.get_field_display()} → {c.new_value}",
            "unit": _unit(c.report.dossier),
            "deadline": None,
            "url": reverse(url_name, args=[c.report_id]) if by_report else reverse(url_name),
        }

    return item


def _recheck_item(what):
    def item(r):
        return {
            "what": str(what),
            "unit": _unit(r.dossier),
            "deadline": _next_recheck(r.dossier),
            "url": reverse("rechecks"),
        }

    return item


def _report_item(what, url_name):
    def item(r):
        about = r.organisation.name if r.organisation_id else (r.agency.name if r.agency_id else "—")
        return {
            "what": str(what),
            "unit": about,
            "deadline": None,
            "url": reverse(url_name, args=[r.pk]),
        }

    return item


def _batch_url(dossier):
    entry = getattr(dossier, "publicity_entry", None)
    if entry is not None:
        return reverse("publicity_batch", args=[entry.batch_id])
    return reverse("dossier_detail", args=[dossier.pk])


def _publicity_item(d):
    return {
        "what": _("Publicity ends: publish the list or decide objections"),
        "unit": _unit(d),
        "deadline": d.publicity_ends_on,
        "url": _batch_url(d),
    }


def _objection_item(o):
    return {
        "what": _("Decide the objection"),
        "unit": _unit(o.dossier),
        "deadline": o.dossier.publicity_ends_on,
        "url": _batch_url(o.dossier),
    }


def _review_item(a):
    return {
        "what": _("Score the dossier"),
        "unit": _unit(a.dossier),
        "deadline": a.deadline,
        "url": reverse("expert_score", args=[a.pk]),
    }


# ---- the sections of each role ------------------------------------------------------------------------------


def _sections():
    from applications.models import AnnualChange, State

    applicant = [
        Section(
            "submit",
            gettext_lazy("Dossiers to complete or resubmit"),
            gettext_lazy("Art. 14, 15"),
            _applicant_submit,
            _submit_item,
        ),
        Section(
            "annual", gettext_lazy("Annual forms due by 15 March"), gettext_lazy("Art. 19"), _annual_due, _annual_item
        ),
    ]
    agency = [
        Section(
            "reports",
            gettext_lazy("Dossiers awaiting your report"),
            gettext_lazy("Art. 14"),
            _agency_reports,
            _agency_item,
        ),
    ]
    district = [
        Section(
            "check",
            gettext_lazy("Submitted dossiers to check"),
            gettext_lazy("Art. 15"),
            _district_check,
            _dossier_item(gettext_lazy("Check: return it or mark it checked"), deadline=_recommendation_deadline),
        ),
        Section(
            "recommend",
            gettext_lazy("Recommendations due by 30 May"),
            gettext_lazy("Art. 15"),
            _district_recommend,
            _recommend_item,
        ),
        Section(
            "annual",
            gettext_lazy("Annual forms to check"),
            gettext_lazy("Art. 19"),
            _annual_to_check,
            _annual_check_item,
        ),
        Section(
            "changes",
            gettext_lazy("Declared changes to verify"),
            gettext_lazy("Art. 20"),
            _changes(AnnualChange.Status.DECLARED),
            _change_item(_("Verify and propose"), "annual_detail", by_report=True),
        ),
        Section(
            "rechecks",
            gettext_lazy("Rechecks due"),
            gettext_lazy("Art. 21"),
            _rechecks_to_propose,
            _dossier_item(gettext_lazy("Record the findings and a proposal"), "rechecks", _next_recheck, by_pk=False),
        ),
        Section(
            "reports",
            gettext_lazy("Real-name reports to verify"),
            gettext_lazy("Art. 25"),
            _district_reports,
            _report_item(gettext_lazy("Verify and propose an outcome"), "district_report"),
        ),
    ]
    city = [
        Section(
            "conformity",
            gettext_lazy("Conformity checks"),
            gettext_lazy("Art. 16"),
            _city_state(State.RECOMMENDED, ("recommended_at", "pk")),
            _dossier_item(gettext_lazy("Check conformity"), "conformity_check"),
        ),
        Section(
            "review",
            gettext_lazy("Reviews to open"),
            gettext_lazy("Art. 17"),
            _city_state(State.IN_LIBRARY),
            _dossier_item(gettext_lazy("Open the expert review"), "review_board", by_pk=False),
        ),
        Section("publicity", gettext_lazy("Publicity ending"), gettext_lazy("Art. 17"), _publicity, _publicity_item),
        Section(
            "objections", gettext_lazy("Objections to decide"), gettext_lazy("Art. 17"), _objections, _objection_item
        ),
        Section(
            "reports",
            gettext_lazy("Real-name reports to decide"),
            gettext_lazy("Art. 25"),
            _city_reports,
            _report_item(gettext_lazy("Decide the report"), "city_report"),
        ),
        Section(
            "changes",
            gettext_lazy("Declared changes to decide"),
            gettext_lazy("Art. 20"),
            _changes(AnnualChange.Status.PROPOSED),
            _change_item(_("Decide"), "city_changes", by_report=False),
        ),
        Section(
            "rechecks",
            gettext_lazy("Rechecks to decide"),
            gettext_lazy("Art. 21"),
            _rechecks_to_decide,
            _recheck_item(gettext_lazy("Decide")),
        ),
    ]
    expert = [
        Section(
            "score",
            gettext_lazy("Reviews to score before the deadline"),
            gettext_lazy("Art. 17"),
            _expert_reviews,
            _review_item,
        ),
    ]
    return {
        Role.APPLICANT: applicant,
        Role.AGENCY: agency,
        Role.DISTRICT: district,
        Role.MUNICIPAL: city,
        Role.STAFF: city,
        Role.EXPERT: expert,
    }


def sections_for(user):
    if not user.is_authenticated or user.role in ADMIN_ROLES:
        return []
    if user.is_superuser:
        return _sections()[Role.STAFF]
    return _sections().get(user.role, [])


def section(user, key):
    return next((s for s in sections_for(user) if s.key == key), None)


def _count(queryset):
    """``SELECT COUNT(*)`` of ``queryset`` as a subquery (no GROUP BY: ``COUNT`` as a plain function)."""
    counted = queryset.order_by().values(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    return Coalesce(Subquery(counted[:1]), Value(0))


def _cache_key(user_id):
    return f"todo-counts:{user_id}"


def forget(user_ids):
    """Drop the cached counts of these users (a notification for them, their own action, a note read)."""
    cache.delete_many([_cache_key(pk) for pk in user_ids])


def counts(user, *, fresh=False):
    """{"unread": n, "sections": [(section, n), …], "total": n} in one query; kept on the user for the request.

    The navigation badge shows them on every page: they are cached for ``TODO_COUNTS_CACHE_SECONDS`` (issue 13:
    at 100,000 dossiers the query was a fifth of a page). The cache is dropped when the user acts (any POST,
    ``accounts.middleware.TodoCountsMiddleware``), reads a notification, or is notified, which every
    transition that gives them work does; other changes show within those seconds. ``fresh`` (the 待办 page
    itself) always counts."""
    cached = getattr(user, "_portal_counts", None)
    if cached is not None and not fresh:
        return cached
    from accounts.models import Notification, User

    sections = sections_for(user)
    keys = [item.key for item in sections]
    seconds = getattr(settings, "TODO_COUNTS_CACHE_SECONDS", 0)
    stored = cache.get(_cache_key(user.pk)) if seconds and not fresh else None
    if stored is None or stored["keys"] != keys:
        today = timezone.localdate()
        annotations = {"unread": _count(Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True))}
        for index, item in enumerate(sections):
            annotations[f"s{index}"] = _count(item.rows(user, today))
        row = User.objects.filter(pk=user.pk).values(**annotations).first() or {}
        stored = {
            "keys": keys,
            "unread": row.get("unread", 0),
            "numbers": [row.get(f"s{index}", 0) for index in range(len(sections))],
        }
        if seconds:
            cache.set(_cache_key(user.pk), stored, seconds)
    numbers = list(zip(sections, stored["numbers"], strict=True))
    result = {"unread": stored["unread"], "sections": numbers, "total": sum(n for _item, n in numbers)}
    user._portal_counts = result
    return result


def describe(section, row, today):
    """What the row says (``section.item``), with ``overdue`` when its deadline has passed."""
    item = section.item(row)
    item["overdue"] = bool(item["deadline"] and item["deadline"] < today)
    return item


def page(user):
    """The 待办 page: each section with its count and its first ``SHOWN`` items (one query per section that has
    any); returns (sections with work, sections without)."""
    today = timezone.localdate()
    listed = []
    for item, n in counts(user, fresh=True)["sections"]:
        rows = list(item.rows(user, today)[:SHOWN]) if n else []
        items = [describe(item, row, today) for row in rows]
        listed.append({"section": item, "count": n, "items": items, "more": n - len(rows)})
    return [s for s in listed if s["count"]], [s for s in listed if not s["count"]]
