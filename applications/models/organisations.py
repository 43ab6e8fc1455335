"""Organisations (申报单位), their eligibility and exclusion declarations, and evaluation agencies."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.credit_code import CreditCodeField
from applications.models.reference import District, Kind

AGENCY_YEARLY_QUOTA = 15  # 第二十四条: at most 15 Shenzhen units per agency per year
BAR_YEARS = 3  # 第二十五条 (agencies) and 第十二条第（三）项 (removed units)


def years_after(day, years):
    """The same calendar day ``years`` later (29 Feb falls back to 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Organisation(models.Model):
    """An enterprise or park operator, identified by its unified social credit code."""

    credit_code = CreditCodeField(_("unified social credit code"), unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("district")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry (GB/T 4754-2017)"), max_length=100, blank=True)
    ownership = models.CharField(_("ownership type"), max_length=50, blank=True)
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

    def active_exclusions(self, on=None):
        """The Art. 12 exclusions in force on ``on``.

        For each condition the latest declaration counts, except that an exclusion the portal recorded
        itself (a removal, 第十二条第（三）项) holds until its end date whatever is declared later.
        """
        on = on or timezone.localdate()
        latest, recorded = {}, {}
        for declaration in self.exclusion_declarations.order_by("condition", "-declared_at", "-pk"):
            latest.setdefault(declaration.condition, declaration)
            if declaration.automatic and declaration.applies:
                recorded.setdefault(declaration.condition, declaration)

        def in_force(d):
            return d.applies and (d.valid_until is None or d.valid_until >= on)

        active = {c: d for c, d in recorded.items() if in_force(d)}
        for condition, declaration in latest.items():
            if condition not in active and in_force(declaration):
                active[condition] = declaration
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


class ExclusionDeclaration(models.Model):
    """A yes/no answer, with evidence, to one Art. 12 condition. Append-only: the latest answer counts.

    For a park the answer covers the enterprises inside it too. A removal recorded in the portal adds an
    automatic "yes" for condition (3) valid for 3 years.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="exclusion_declarations")
    condition = models.PositiveSmallIntegerField(_("condition"), choices=ExclusionCondition.choices)
    applies = models.BooleanField(_("applies"))
    evidence = models.TextField(_("evidence / explanation"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="evidence/%Y/", blank=True)
    valid_until = models.DateField(_("in force until"), null=True, blank=True)
    automatic = models.BooleanField(_("recorded automatically"), default=False)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "condition", "-declared_at"]
        verbose_name = _("exclusion declaration (Art. 12)")
        verbose_name_plural = _("exclusion declarations (Art. 12)")

    def __str__(self):
        answer = _("yes") if self.applies else _("no")
        return f"{self.organisation} · {self.get_condition_display()} · {answer}"


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


class EligibilityDeclaration(models.Model):
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

    def evaluations_in_year(self, year, *, excluding_dossier=None):
        """第二十四条: distinct units whose dossier this agency evaluated for ``year``'s cycle."""
        qs = self.dossiers.filter(cycle_year=year, first_submitted_at__isnull=False)
        if excluding_dossier is not None and excluding_dossier.pk:
            qs = qs.exclude(pk=excluding_dossier.pk)
        return qs.values("organisation").distinct().count()
