"""Organisations (申报单位), their eligibility and exclusion declarations, and evaluation agencies."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.credit_code import CreditCodeField
from applications.models.append_only import AppendOnlyModel
from applications.models.reference import District, Kind

AGENCY_YEARLY_QUOTA = 15  # 第二十四条: at most 15 Shenzhen units per agency per year
BAR_YEARS = 3  # 第二十五条 (agencies) and 第十二条第（三）项 (removed units)
EXCLUSION_YEARS = 3  # 第十二条: circumstances within the last 3 years


def years_after(day, years):
    """The same calendar day ``years`` later (29 Feb falls back to 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class UnitNature(models.TextChoices):
    """单位性质 as MIIT's 基本信息表 lists it."""

    STATE_OWNED = "国有", _("Domestic: state-owned")
    COLLECTIVE = "集体", _("Domestic: collective")
    PRIVATE = "民营", _("Domestic: private")
    JOINT_VENTURE = "中外合资", _("Sino-foreign joint venture")
    HK_MACAO_TAIWAN = "港澳台", _("Hong Kong, Macao or Taiwan invested")
    FOREIGN = "外商独资", _("Wholly foreign-owned")


class Organisation(models.Model):
    """An enterprise or park operator, identified by its unified social credit code."""

    credit_code = CreditCodeField(_("unified social credit code"), unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("district")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry (GB/T 4754-2017)"), max_length=100, blank=True)
    ownership = models.CharField(_("ownership type"), max_length=50, blank=True, choices=UnitNature.choices)
    registration_authority = models.CharField(_("registration authority"), max_length=100, blank=True)
    valid_until = models.CharField(_("term of operation"), max_length=50, blank=True, help_text=_("e.g. 长期"))
    contact_department = models.CharField(_("contact department"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("mobile phone"), max_length=32, blank=True)
    fax = models.CharField(_("fax"), max_length=32, blank=True)
    introduction = models.TextField(_("introduction of the unit"), blank=True, max_length=2000)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    registered_capital = models.CharField(_("registered capital"), max_length=50, blank=True)
    established_on = models.DateField(_("date of establishment"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    production_scope = models.TextField(_("scope of production"), blank=True)
    boundary = models.TextField(_("organisational boundary"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The dossiers' copies of the name and district (``Dossier.organisation_name``): one UPDATE, and only
        # of rows out of step, so a save that changes neither writes nothing.
        moved = self.dossiers.exclude(organisation_name=self.name, district_id=self.district_id).update(
            organisation_name=self.name, district_id=self.district_id
        )
        if moved:
            # and the annual forms' copy of the name (``AnnualReport.organisation_name``): forms belong to
            # dossiers, so with every dossier in step they are too, and a plain save writes nothing more.
            from applications.models import AnnualReport

            AnnualReport.objects.filter(dossier__organisation=self).exclude(organisation_name=self.name).update(
                organisation_name=self.name
            )

    def active_exclusions(self, on=None):
        """The Art. 12 exclusions in force on ``on``, one per condition (the latest-ending first).

        第十二条 speaks of the last 3 years: a "yes" counts from its event date for 3 years (or until the
        end date the portal recorded, e.g. a removal's 第十二条第（三）项). A later "no" never lifts a "yes";
        only city staff lift one, with a reason (``lift_exclusion``).
        """
        on = on or timezone.localdate()
        active = {}
        for declaration in self.exclusion_declarations.filter(applies=True, lifted_at__isnull=True):
            if declaration.in_force(on) and (
                declaration.condition not in active or declaration.ends_on > active[declaration.condition].ends_on
            ):
                active[declaration.condition] = declaration
        return [active[c] for c in sorted(active)]

    def unmet_eligibility(self, kind):
        """Criteria of Art. 9-11 for ``kind`` whose latest declaration is missing or "not met"."""
        latest = {}
        for declaration in self.eligibility_declarations.filter(kind=kind).order_by("-declared_at", "-pk"):
            latest.setdefault(declaration.criterion, declaration)
        return [c for c in ELIGIBILITY_CRITERIA[kind] if not (c in latest and latest[c].satisfied)]


class ExclusionCondition(models.IntegerChoices):
    """第十二条: circumstances within the last 3 years that bar applying, recommendation and listing."""

    NOT_OPERATING = 1, _("(1) Not operating normally (deregistered, stopped over 12 months, abnormal-operation list)")
    ACCIDENT_OR_VIOLATION = (
        2,
        _("(2) Safety (incl. network and data), quality or environmental accident, or tax violation"),
    )
    REMOVED_FROM_LIST = 3, _("(3) Removed from a green-manufacturing list")
    INSPECTION_FINDING = 4, _("(4) Serious problems found by State Council or ministry inspection")
    UNRECTIFIED_ENERGY_SUPERVISION = 5, _("(5) On the energy-saving supervision rectification list, not rectified")
    DISHONEST_DEBTOR = 6, _("(6) Listed as a dishonest judgment debtor")


EXCLUSION_ITEM_LABEL = {
    n: label for n, label in enumerate([_("(1)"), _("(2)"), _("(3)"), _("(4)"), _("(5)"), _("(6)")], 1)
}


class ExclusionSource(models.TextChoices):
    APPLICANT = "applicant", _("declared by the applicant")
    STAFF = "staff", _("recorded by staff")
    SYSTEM = "system", _("recorded by the portal")


class ExclusionDeclaration(AppendOnlyModel):
    """A yes/no answer, with evidence and the date of the event, to one Art. 12 condition. Append-only.

    A "yes" is a dated fact: it counts for 3 years from ``event_date`` (第十二条: 近3年内), or until
    ``valid_until`` where the portal recorded an end (a removal, 第十二条第（三）项). A "no" is a statement
    for the record and lifts nothing; city staff lift a "yes" with a reason. For a park the answer
    covers the enterprises inside it too.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="exclusion_declarations")
    condition = models.PositiveSmallIntegerField(_("condition"), choices=ExclusionCondition.choices)
    applies = models.BooleanField(_("applies"))
    event_date = models.DateField(_("date of the event"), null=True, blank=True)
    evidence = models.TextField(_("evidence / explanation"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="evidence/%Y/", blank=True)
    valid_until = models.DateField(_("in force until"), null=True, blank=True)
    automatic = models.BooleanField(_("recorded automatically"), default=False)
    source = models.CharField(
        _("recorded by"), max_length=10, choices=ExclusionSource.choices, default=ExclusionSource.APPLICANT
    )
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)
    history = HistoricalRecords()

    # 第十二条: city staff lift a "yes" with a reason (services.lift_exclusion); nothing else ever changes.
    append_only_mutable = ("lifted_at", "lifted_by", "lift_reason")

    class Meta:
        ordering = ["organisation", "condition", "-declared_at"]
        verbose_name = _("exclusion declaration (Art. 12)")
        verbose_name_plural = _("exclusion declarations (Art. 12)")

    def __str__(self):
        answer = _("yes") if self.applies else _("no")
        return f"{self.organisation} · {self.get_condition_display()} · {answer}"

    @property
    def starts_on(self):
        return self.event_date or timezone.localdate(self.declared_at)

    @property
    def ends_on(self):
        """第十二条: 近3年内 — three years from the event, unless the portal recorded another end."""
        return self.valid_until or years_after(self.starts_on, EXCLUSION_YEARS)

    def in_force(self, on):
        return self.applies and self.lifted_at is None and self.starts_on <= on <= self.ends_on


class EligibilityCriterion(models.TextChoices):
    LEGAL_PERSON_IN_SHENZHEN = (
        "legal_person",
        _("Registered in Shenzhen as a legal person or independent accounting unit"),
    )
    ACTUAL_MANUFACTURING = "manufacturing", _("Actually manufacturing")
    PARK_BOUNDED_MANAGED = "park_bounded", _("Legally bounded park with one management body")
    PARK_INDUSTRIAL_SHARE = (
        "park_industrial_share",
        _("Manufacturing / energy supply; industrial added value above half"),
    )
    PARK_CULTIVATION_PLAN = "park_plan", _("Has published the park's green-factory cultivation plan")
    SUPPLY_CHAIN_LEADER = "chain_leader", _("Leading enterprise of its supply chain")
    SUPPLIER_CULTIVATION_PLAN = "supplier_plan", _("Has a supplier green-factory cultivation plan")


# Which criteria each kind must meet, and the article that sets them (第九条, 第十条, 第十一条).
ELIGIBILITY_CRITERIA = {
    Kind.FACTORY: [EligibilityCriterion.LEGAL_PERSON_IN_SHENZHEN, EligibilityCriterion.ACTUAL_MANUFACTURING],
    Kind.PARK: [
        EligibilityCriterion.PARK_BOUNDED_MANAGED,
        EligibilityCriterion.PARK_INDUSTRIAL_SHARE,
        EligibilityCriterion.PARK_CULTIVATION_PLAN,
    ],
    Kind.SUPPLY_CHAIN: [
        EligibilityCriterion.LEGAL_PERSON_IN_SHENZHEN,
        EligibilityCriterion.SUPPLY_CHAIN_LEADER,
        EligibilityCriterion.SUPPLIER_CULTIVATION_PLAN,
    ],
}
ELIGIBILITY_ARTICLE = {Kind.FACTORY: _("Art. 9"), Kind.PARK: _("Art. 10"), Kind.SUPPLY_CHAIN: _("Art. 11")}


class EligibilityDeclaration(AppendOnlyModel):
    """A declaration, with evidence, that one Art. 9-11 criterion is met. Append-only: the latest counts."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="eligibility_declarations")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    criterion = models.CharField(_("criterion"), max_length=32, choices=EligibilityCriterion.choices)
    satisfied = models.BooleanField(_("met"))
    evidence = models.TextField(_("evidence / explanation"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="evidence/%Y/", blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "kind", "criterion", "-declared_at"]
        verbose_name = _("eligibility declaration (Art. 9-11)")
        verbose_name_plural = _("eligibility declarations (Art. 9-11)")

    def __str__(self):
        return f"{self.organisation} · {self.get_criterion_display()}"


class Agency(models.Model):
    """A third-party evaluation agency (第三方机构), Art. 14, 23-25."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    credit_code = CreditCodeField(_("unified social credit code"), unique=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    barred_until = models.DateField(_("barred until"), null=True, blank=True, db_index=True)
    bar_reason = models.TextField(_("reason for the bar"), blank=True)
    quality_flags = models.TextField(_("district quality notes (Art. 23)"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("evaluation agency")
        verbose_name_plural = _("evaluation agencies")

    def __str__(self):
        return self.name

    def is_barred(self, on=None):
        on = on or timezone.localdate()
        return self.barred_until is not None and self.barred_until >= on

    def bar(self, *, decided_on: datetime.date, reason: str):
        """第二十五条: a falsifying agency's reports are not accepted for 3 years."""
        self.barred_until = years_after(decided_on, BAR_YEARS)
        self.bar_reason = reason

    def evaluations_in_year(self, year):
        """第二十四条: distinct units this agency evaluated in calendar ``year`` (the year the evaluation was made)."""
        return self.evaluations.filter(year=year).values("organisation").distinct().count()


class AgencyEvaluation(AppendOnlyModel):
    """第二十四条: one evaluation an agency made, counted in the calendar year it was first submitted.

    A resubmission of the same dossier by the same agency is the same evaluation; an applicant who
    switches agency gives the new agency a new one.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="evaluations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT, related_name="agency_evaluations")
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    made_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        ordering = ["-made_at"]
        verbose_name = _("agency evaluation (Art. 24)")
        verbose_name_plural = _("agency evaluations (Art. 24)")
        constraints = [models.UniqueConstraint(fields=["agency", "dossier"], name="one_evaluation_per_agency_dossier")]

    def __str__(self):
        return f"{self.agency} · {self.organisation} · {self.year}"


class AgencyFlag(AppendOnlyModel):
    """第二十三条: a district bureau's note of an agency's poor work, with the reason. Append-only."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="flags")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)

    class Meta:
        ordering = ["-flagged_at"]
        verbose_name = _("agency quality flag (Art. 23)")
        verbose_name_plural = _("agency quality flags (Art. 23)")

    def __str__(self):
        return f"{self.agency} · {self.district} · {self.flagged_at:%Y-%m-%d}"
