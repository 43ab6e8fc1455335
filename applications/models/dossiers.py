"""The dossier (申报档案) and its state machine (DOMAIN.md), and the append-only transition log.

Transitions set fields of the row only. Every caller goes through
``applications.services.transition`` which locks the row, checks the guards, saves and logs.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from applications.models import guards as g
from applications.models.append_only import AppendOnlyModel, AppendOnlyQuerySet
from applications.models.organisations import Agency, Organisation, years_after
from applications.models.reference import Kind, Level
from greenfactory.choices import ChoiceLabels

RECHECK_YEARS = 3  # 第二十一条: 三年一复核


class State(models.TextChoices):
    POOLED = "pooled", _("In cultivation pool")
    SUBMITTED = "submitted", _("Evaluation report submitted")
    RETURNED = "returned", _("Returned for revision")
    RECOMMENDED = "recommended", _("Recommended by district")
    IN_LIBRARY = "in_library", _("In municipal project library")
    IN_REVIEW = "in_review", _("Under review")
    IN_PUBLICITY = "in_publicity", _("In publicity")
    NOMINATED = "nominated", _("Nominated to MIIT")
    LISTED = "listed", _("Listed")
    RECHECKING = "rechecking", _("Under recheck")
    REMOVED = "removed", _("Removed from list")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOT_PASSED = "not_passed", _("Not passed")
    LAPSED = "lapsed", _("Lapsed")


ENDING_STATES = {State.REMOVED, State.WITHDRAWN, State.NOT_PASSED, State.LAPSED}
BEFORE_RECOMMENDATION = [State.POOLED, State.SUBMITTED, State.RETURNED]
# The applicant edits its self-evaluation and report only before submission or after a return.
EDITABLE_STATES = (State.POOLED, State.RETURNED)
# Between recommendation and the list: where a barred agency's report must be replaced (第二十五条).
AFTER_RECOMMENDATION = (State.RECOMMENDED, State.IN_LIBRARY, State.IN_REVIEW, State.IN_PUBLICITY, State.NOMINATED)
WITHDRAWABLE = [State.POOLED, State.SUBMITTED, State.RETURNED, State.RECOMMENDED, State.IN_LIBRARY, State.IN_REVIEW]


def next_triennial_due(due, listed_on, decided_on):
    """第二十一条 (三年一复核): the cycle counts from the due date, not from the day a recheck was decided.

    Listed 2026-09-10, due 2029-09-10, decided 2030-02-20: next due 2032-09-10. A spot recheck decided
    before the due date (第二十二条) leaves the cycle as it was.
    """
    due = due or (years_after(listed_on, RECHECK_YEARS) if listed_on else years_after(decided_on, RECHECK_YEARS))
    while due <= decided_on:
        due = years_after(due, RECHECK_YEARS)
    return due


class EvaluationMode(models.TextChoices):
    SELF = "self", _("Self-evaluation")
    AGENCY = "agency", _("Commissioned third-party agency")


class RemovalGround(models.TextChoices):
    """第二十一条, 第二十二条, 第二十五条: the grounds on which a unit leaves the list."""

    EXCLUSION_CONDITION = "exclusion", _("An Art. 12 condition (Art. 21(1))")
    ANNUAL_FORM_NOT_FILED = "annual_form", _("Refused to file the annual form on time (Art. 21(2))")
    FALSIFIED_DATA = "falsified", _("Falsified materials or data (Art. 21(3))")
    MAJOR_ACCIDENT = "major_accident", _("Major production-safety or quality accident (Art. 22)")
    ENVIRONMENTAL_INCIDENT = "environmental_incident", _("Level II (major) or higher environmental incident (Art. 22)")
    UPHELD_REPORT = "upheld_report", _("Upheld real-name report (Art. 25)")


def copy_organisation(dossiers):
    """Set each dossier's ``organisation_name`` and ``district`` from its organisation: the instance it holds,
    or one query for those it does not."""
    missing = {d.organisation_id for d in dossiers if not Dossier.organisation.is_cached(d)}
    found = Organisation.objects.in_bulk(missing) if missing else {}
    for dossier in dossiers:
        cached = Dossier.organisation.is_cached(dossier)
        organisation = dossier.organisation if cached else found[dossier.organisation_id]
        dossier.organisation_name, dossier.district_id = organisation.name, organisation.district_id


class DossierQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        copy_organisation(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        # Neither FSM library stops ``update(state=...)``; the state only moves through transitions.
        if "state" in kwargs:
            raise PermissionDenied("Dossier.state changes only through applications.services.transition")
        return super().update(**kwargs)


class Dossier(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    """One application of one organisation, for one kind of unit, in one cycle year."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    cycle_year = models.PositiveSmallIntegerField(_("cycle year"), db_index=True)
    # Copies of the organisation's name and district, kept in step by ``Organisation.save`` and every insert
    # path (``save``, ``bulk_create``, ``applications.bulk.insert``): the lists sort by name and the district
    # officer's scope filters by district on the dossier row itself, without a join (issue 13: at 100,000
    # dossiers the join made every district page sort or count its whole scope). ``verify_audit`` checks them.
    organisation_name = models.CharField(_("organisation name"), max_length=200, editable=False, default="")
    district = models.ForeignKey(
        "applications.District",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("district"),
    )
    state = FSMField(
        _("state"), max_length=16, choices=State.choices, default=State.POOLED, protected=True, db_index=True
    )

    evaluation_mode = models.CharField(
        _("evaluation"), max_length=8, choices=EvaluationMode.choices, default=EvaluationMode.SELF
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="dossiers", verbose_name=_("agency")
    )
    report = models.FileField(_("evaluation report (PDF)"), upload_to="reports/%Y/", blank=True)
    report_attested = models.BooleanField(_("truthfulness attested"), default=False)
    report_uploaded_at = models.DateTimeField(_("report uploaded at"), null=True, blank=True)

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    recommended_at = models.DateTimeField(_("recommended at"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("last day of publicity"), null=True, blank=True, db_index=True)
    cleared_for_publication_at = models.DateTimeField(_("cleared for publication at"), null=True, blank=True)

    level = models.CharField(_("list level"), max_length=16, choices=Level.choices, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    last_rechecked_on = models.DateField(_("last rechecked on"), null=True, blank=True)
    next_recheck_due = models.DateField(_("next recheck due"), null=True, blank=True, db_index=True)
    removal_ground = models.CharField(_("removal ground"), max_length=32, choices=RemovalGround.choices, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    outcome_reason = models.TextField(_("reason for the outcome"), blank=True)
    manual_selection_reason = models.TextField(_("reason for selecting without a complete expert review"), blank=True)

    cultivation_notes = models.TextField(_("cultivation plan notes (district)"), blank=True)
    district_ready_at = models.DateTimeField(_("checked by the district at"), null=True, blank=True)
    district_ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recommendation_batch = models.ForeignKey(
        "reviews.RecommendationBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("recommendation batch"),
    )

    published_list = models.ForeignKey(
        "registry.PublishedList",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("published list"),
    )

    # The national platform (green.miit.gov.cn) stays the place of filing; we record its status (Art. 6).
    platform_status = models.CharField(_("national platform status"), max_length=100, blank=True)
    platform_reference = models.CharField(_("national platform reference"), max_length=100, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "organisation_name", "district"])

    objects = DossierQuerySet.as_manager()

    # The lists' order: newest cycle first, then by name, on the dossier's own columns (index dossier_list_order).
    LIST_ORDER = ("-cycle_year", "organisation_name", "pk")

    class Meta:
        ordering = ["-cycle_year", "organisation__name"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "cycle_year"], name="one_dossier_per_org_kind_year"
            ),
        ]
        indexes = [
            # the workspace's order (``LIST_ORDER``), whole city or one district
            models.Index(fields=["-cycle_year", "organisation_name", "id"], name="dossier_list_order"),
            models.Index(fields=["district", "-cycle_year", "organisation_name", "id"], name="dossier_district_order"),
            # the same order within one state: the workspace's state filter and the queues' default states (the
            # conformity queue, the district's review queue). Walking the order above and skipping the other states
            # took 30 ms on PostgreSQL at 100,000 dossiers.
            models.Index(fields=["state", "-cycle_year", "organisation_name", "id"], name="dossier_state_order"),
            # the dashboard's and 待办's grouped counts read this index alone (it holds every column they group
            # or filter by); a state's dossiers of a year by name (nominations, the review board's columns).
            # Without them SQLite walked a whole year, or the whole table, in index order to avoid a sort.
            models.Index(
                fields=["district", "state", "cycle_year", "kind", "level", "next_recheck_due"],
                name="dossier_district_state",
            ),
            models.Index(fields=["state", "cycle_year", "organisation_name", "kind"], name="dossier_state_year"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.get_kind_display()} · {self.cycle_year}"

    def save(self, *args, **kwargs):
        if self._state.adding or not self.organisation_name:
            copy_organisation([self])
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "organisation_name", "district"}
        super().save(*args, **kwargs)

    # The clock the guards read; services set it to evaluate "as of" another time.
    _clock = None
    # The parameters of the transition being attempted (rank, list, ground, manual reason…), for its guards.
    _params = None

    def now(self):
        return self._clock or timezone.now()

    def param(self, name):
        return (self._params or {}).get(name)

    def today(self):
        return timezone.localdate(self.now())

    @property
    def is_ended(self):
        return self.state in ENDING_STATES

    def refusals(self, transition_name, **params):
        """Messages of the rules that forbid ``transition_name`` (with ``params``) now; empty when it may run."""
        self._params = params
        meta = getattr(type(self), transition_name)._django_fsm
        edge = meta.get_transition(self.state)
        if edge is None:
            return [
                gettext("This action is not possible in the state “%(state)s”.") % {"state": self.get_state_display()}
            ]
        return [condition.refusal(self) for condition in edge.conditions if not condition(self)]

    def next_deadline(self):
        """(label, date) of the next deadline that applies to this dossier, or None."""
        if self.state in BEFORE_RECOMMENDATION:
            return _("District recommendation (Art. 15)"), g.recommendation_deadline(self.cycle_year).date()
        if self.state == State.IN_PUBLICITY and self.publicity_ends_on:
            return _("End of publicity (Art. 17)"), self.publicity_ends_on
        if self.state == State.LISTED:
            today = timezone.localdate()
            annual = datetime.date(today.year, 3, 15)
            if annual < today:
                annual = annual.replace(year=today.year + 1)
            if self.next_recheck_due and self.next_recheck_due < annual:
                return _("Triennial recheck (Art. 21)"), self.next_recheck_due
            return _("Annual dynamic-management form (Art. 19)"), annual
        return None

    # ---- transitions: one per edge of the table in DOMAIN.md -------------------------------------

    @transition(
        field=state,
        source=[State.POOLED, State.RETURNED],
        target=State.SUBMITTED,
        conditions=[
            g.before_recommendation_deadline,
            g.round_admits,
            g.eligibility_met,
            g.no_exclusion,
            g.evaluation_complete,
            g.evaluation_passes,
            g.agency_concluded,
            g.report_attached,
            g.agency_not_barred,
            g.agency_within_quota,
        ],
    )
    def submit(self, reason=""):
        """第十四条: the applicant (or its agency) submits the evaluation report."""
        self.submitted_at = self.now()
        if self.first_submitted_at is None:
            self.first_submitted_at = self.submitted_at

    @transition(field=state, source=State.SUBMITTED, target=State.RETURNED)
    def return_for_revision(self, reason=""):
        """The district returns the dossier with reasons; the applicant revises and resubmits."""
        self.return_reason = reason
        self.district_ready_at = None
        self.district_ready_by = None

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RECOMMENDED,
        conditions=[
            g.before_recommendation_deadline,
            g.eligibility_met,
            g.no_exclusion,
            g.agency_not_barred,
            g.district_checked,
        ],
    )
    def recommend(self, reason="", *, batch=None):
        """第十五条: recommended to the city by 30 May; the dossier is then on the district list."""
        self.recommended_at = self.now()
        self.recommendation_batch = batch
        self.level = Level.DISTRICT

    @transition(
        field=state,
        source=State.RECOMMENDED,
        target=State.IN_LIBRARY,
        conditions=[g.conformity_checklist_passed, g.no_exclusion, g.agency_not_barred],
    )
    def pass_conformity(self, reason=""):
        """第十六条: municipal conformity check passed; enters the municipal project library."""

    @transition(
        field=state, source=State.RECOMMENDED, target=State.NOT_PASSED, conditions=[g.conformity_checklist_failed]
    )
    def fail_conformity(self, reason=""):
        """第十六条: conformity check failed; the reason is kept and shown to district and applicant."""
        self.outcome_reason = reason

    @transition(field=state, source=State.IN_LIBRARY, target=State.IN_REVIEW, conditions=[g.no_exclusion])
    def open_review(self, reason=""):
        """第十七条: the city opens the expert review."""

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.IN_PUBLICITY,
        conditions=[g.is_green_factory, g.expert_review_complete, g.no_exclusion, g.agency_not_barred],
    )
    def select_for_publicity(self, reason="", *, publicity_ends_on, manual_reason=""):
        """第十七条: a green factory selected (优中选优) goes to 5 working days of publicity."""
        self.publicity_ends_on = publicity_ends_on
        self.cleared_for_publication_at = None
        self.manual_selection_reason = manual_reason

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.NOMINATED,
        conditions=[g.is_park_or_supply_chain, g.expert_review_complete, g.no_exclusion, g.agency_not_barred],
    )
    def nominate(self, reason="", *, manual_reason=""):
        """第十七条: a selected park or supply-chain enterprise is recommended to MIIT."""
        self.manual_selection_reason = manual_reason

    @transition(field=state, source=State.IN_REVIEW, target=State.NOT_PASSED)
    def not_select(self, reason=""):
        """第十七条: not selected in review."""
        self.outcome_reason = reason

    @transition(field=state, source=State.IN_PUBLICITY, target=State.NOT_PASSED, conditions=[g.objection_upheld])
    def uphold_objection(self, reason=""):
        """第十七条: an objection raised in publicity is upheld."""
        self.outcome_reason = reason

    @transition(
        field=state,
        source=State.IN_PUBLICITY,
        target=State.LISTED,
        conditions=[g.publicity_cleared, g.on_published_list_with_rank, g.no_exclusion, g.agency_not_barred],
    )
    def publish(self, reason="", *, rank, published_list):
        """第十七条: after publicity without objection the municipal list is published, ranked."""
        self._enter_list(Level.MUNICIPAL, rank)
        self.published_list = published_list

    @transition(
        field=state, source=State.NOMINATED, target=State.LISTED, conditions=[g.on_national_list, g.no_exclusion]
    )
    def include_in_national_list(self, reason=""):
        """第十八条: MIIT's national list includes the nominated unit; it is on the municipal list too."""
        self._enter_list(Level.NATIONAL, None)

    @transition(field=state, source=State.NOMINATED, target=State.NOT_PASSED, conditions=[g.not_on_national_list])
    def exclude_from_national_list(self, reason=""):
        """第十八条: MIIT's national round closed without this nominated unit."""
        self.outcome_reason = reason

    @transition(field=state, source=State.LISTED, target=State.RECHECKING)
    def open_recheck(self, reason=""):
        """第二十一条 (三年一复核) and 第二十二条 (spot rechecks): the district rechecks the unit."""

    @transition(
        field=state,
        source=State.RECHECKING,
        target=State.LISTED,
        conditions=[g.district_recheck_recorded, g.no_exclusion],
    )
    def keep_after_recheck(self, reason=""):
        """第二十一条: the recheck confirms the unit; the triennial cycle goes on from its due date."""
        self.last_rechecked_on = self.today()
        self.next_recheck_due = next_triennial_due(self.next_recheck_due, self.listed_on, self.last_rechecked_on)

    @transition(
        field=state,
        source=[State.LISTED, State.RECHECKING],
        target=State.REMOVED,
        conditions=[g.removal_ground_and_facts],
    )
    def remove(self, reason="", *, ground):
        """第二十一条, 第二十二条, 第二十五条: the unit leaves the list on a named ground."""
        self.removal_ground = ground
        self.removed_on = self.today()
        self.outcome_reason = reason
        self.rank = None
        self.next_recheck_due = None

    @transition(field=state, source=WITHDRAWABLE, target=State.WITHDRAWN)
    def withdraw(self, reason=""):
        """The applicant withdraws before publicity."""
        self.outcome_reason = reason

    @transition(
        field=state,
        source=BEFORE_RECOMMENDATION,
        target=State.LAPSED,
        conditions=[g.after_recommendation_deadline],
    )
    def lapse(self, reason=""):
        """第十五条: not recommended by 30 May; may be pooled again in a later cycle."""
        self.outcome_reason = reason

    def _enter_list(self, level, rank):
        self.level = level
        self.rank = rank
        self.listed_on = self.today()
        self.next_recheck_due = years_after(self.listed_on, RECHECK_YEARS)


# Transitions whose caller must give a reason (it is shown to the applicant and the district).
REASON_REQUIRED = {
    "return_for_revision",
    "fail_conformity",
    "not_select",
    "uphold_objection",
    "exclude_from_national_list",
    "remove",
    "withdraw",
}
TRANSITION_NAMES = [
    "submit",
    "return_for_revision",
    "recommend",
    "pass_conformity",
    "fail_conformity",
    "open_review",
    "select_for_publicity",
    "nominate",
    "not_select",
    "uphold_objection",
    "publish",
    "include_in_national_list",
    "exclude_from_national_list",
    "open_recheck",
    "keep_after_recheck",
    "remove",
    "withdraw",
    "lapse",
]


class Path(models.TextChoices):
    """The ways a transition can be triggered. ``services.transition(via=…)`` refuses any other."""

    ENDPOINT = "endpoint", _("the dossier page (generic action)")
    SERVICE = "service", _("its own screen and service")
    SWEEP = "sweep", _("a deadline job")
    IMPORT = "import", _("an import")


# Which paths may trigger each transition. Transitions that need parameters or a record made with them
# (a checklist, a list, a ground) run only through their own service; ``lapse`` is the deadline job's alone.
TRANSITION_PATHS = {
    "submit": {Path.SERVICE},
    "return_for_revision": {Path.ENDPOINT, Path.SERVICE},
    "recommend": {Path.SERVICE},
    "pass_conformity": {Path.SERVICE},
    "fail_conformity": {Path.SERVICE},
    "open_review": {Path.ENDPOINT, Path.SERVICE},
    "select_for_publicity": {Path.SERVICE},
    "nominate": {Path.SERVICE},
    "not_select": {Path.ENDPOINT, Path.SERVICE},
    "uphold_objection": {Path.SERVICE},
    "publish": {Path.SERVICE},
    "include_in_national_list": {Path.IMPORT},
    "exclude_from_national_list": {Path.IMPORT},
    "open_recheck": {Path.ENDPOINT, Path.SERVICE, Path.SWEEP},
    "keep_after_recheck": {Path.SERVICE},
    "remove": {Path.SERVICE},
    "withdraw": {Path.ENDPOINT, Path.SERVICE},
    "lapse": {Path.SWEEP},
}
SYSTEM_ONLY = {name for name, paths in TRANSITION_PATHS.items() if paths == {Path.SWEEP}}
TRANSITION_LABELS = {
    "create": _("Added to cultivation pool"),
    "enter_national_list": _("Entered from MIIT's national list (Art. 18)"),
    "submit": _("Submit evaluation"),
    "return_for_revision": _("Return for revision"),
    "recommend": _("Recommend to the city"),
    "pass_conformity": _("Pass conformity check"),
    "fail_conformity": _("Fail conformity check"),
    "open_review": _("Open expert review"),
    "select_for_publicity": _("Select for publicity"),
    "nominate": _("Nominate to MIIT"),
    "not_select": _("Not selected"),
    "uphold_objection": _("Uphold objection"),
    "publish": _("Publish on the list"),
    "include_in_national_list": _("Included in national list"),
    "exclude_from_national_list": _("Not included in national list"),
    "open_recheck": _("Open recheck"),
    "keep_after_recheck": _("Keep after recheck"),
    "remove": _("Remove from list"),
    "withdraw": _("Withdraw"),
    "lapse": _("Lapse"),
}


class TransitionLogQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        from applications import transition_chain

        objs = list(objs)
        transition_chain.link([o for o in objs if not o.row_hash])
        return super().bulk_create(objs, *args, **kwargs)


class TransitionLog(AppendOnlyModel):
    """Who moved which dossier from which state to which, when and why. Append-only, and a hash chain per
    dossier (``applications.transition_chain``): a changed, deleted or hand-inserted row shows."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="transitions", verbose_name=_("dossier")
    )
    transition = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("actor")
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    prev_hash = models.CharField(_("previous row's hash"), max_length=64, blank=True, editable=False)
    row_hash = models.CharField(_("row hash"), max_length=64, blank=True, editable=False)

    objects = TransitionLogQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")

    def __str__(self):
        return f"{self.dossier_id}: {self.from_state or '∅'} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.row_hash:
            from applications import transition_chain

            transition_chain.link([self])
        super().save(*args, **kwargs)

    @property
    def actor_label(self):
        return str(self.actor) if self.actor_id else gettext("system")

    @property
    def transition_label(self):
        return TRANSITION_LABELS.get(self.transition, self.transition)
