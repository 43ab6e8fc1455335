"""The annual dynamic-management form (年度动态管理表), 第十九条 and 第二十条."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from greenfactory.choices import ChoiceLabels

ANNUAL_DUE_MONTH_DAY = (3, 15)  # 第十九条: by 15 March each year


class IndicatorSet(models.Model):
    """The key indicators units report for one year; staff define them (a new set each year, versioned)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")

    def __str__(self):
        return str(self.year)


class Indicator(models.Model):
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=30)
    required = models.BooleanField(_("required"), default=True)
    higher_is_better = models.BooleanField(_("higher is better"), default=False)
    # Worse than last year by more than this share (per cent) flags the unit for an on-site assessment.
    worsen_threshold = models.DecimalField(_("worsening threshold (%)"), max_digits=6, decimal_places=2, default=10)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator_set", "order", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["indicator_set", "code"], name="one_code_per_indicator_set")]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


def copy_dossier_name(reports):
    """Set each form's ``organisation_name`` from its dossier's own copy (``Dossier.organisation_name``): the
    dossier instance it holds, or one query for those it does not."""
    from applications.models import Dossier

    missing = {r.dossier_id for r in reports if not AnnualReport.dossier.is_cached(r)}
    found = dict(Dossier.objects.filter(pk__in=missing).values_list("pk", "organisation_name")) if missing else {}
    for report in reports:
        cached = AnnualReport.dossier.is_cached(report)
        report.organisation_name = report.dossier.organisation_name if cached else found[report.dossier_id]


class AnnualReportQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        copy_dossier_name([r for r in objs if not r.organisation_name])
        return super().bulk_create(objs, *args, **kwargs)


class AnnualReport(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        DUE = "due", _("Due")
        SUBMITTED = "submitted", _("Submitted")
        CORRECTION = "correction", _("Corrections requested")
        ACCEPTED = "accepted", _("Accepted")

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT, related_name="annual_reports")
    # A copy of the organisation's name, kept in step by every write path (``save``, ``bulk_create``,
    # ``applications.bulk.insert``, ``Organisation.save``): the year's forms are listed by status and name,
    # and sorting them across a join to the dossiers took 60 ms at 100,000 dossiers.
    organisation_name = models.CharField(_("organisation name"), max_length=200, editable=False, default="")
    year = models.PositiveSmallIntegerField(_("year"))
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DUE, db_index=True)
    values = models.JSONField(_("indicator values"), default=dict, blank=True)  # {code: "decimal"}
    compliance = models.JSONField(_("Art. 12 answers for the past year"), default=dict, blank=True)
    flags = models.JSONField(_("indicators worse beyond the threshold"), default=list, blank=True)
    district_note = models.TextField(_("district's note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 第二十一条第（二）项: not filed by the due date; set once by the deadline sweep.
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["organisation_name"])

    objects = AnnualReportQuerySet.as_manager()

    # The order of the year's list (``exports.kinds``' annual forms): by status, then by name.
    LIST_ORDER = ("status", "organisation_name", "pk")

    class Meta:
        ordering = ["-year", "dossier"]
        verbose_name = _("annual dynamic-management form")
        verbose_name_plural = _("annual dynamic-management forms")
        constraints = [models.UniqueConstraint(fields=["dossier", "year"], name="one_annual_report_per_year")]
        indexes = [models.Index(fields=["year", "status", "organisation_name", "id"], name="annual_list_order")]

    def __str__(self):
        return f"{self.dossier.organisation} · {self.year}"

    def save(self, *args, **kwargs):
        if self._state.adding or not self.organisation_name:
            copy_dossier_name([self])
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "organisation_name"}
        super().save(*args, **kwargs)


class AnnualChange(models.Model):
    """第二十条: a change declared in the annual form; the district verifies and proposes, the city decides."""

    class Field(models.TextChoices):
        NAME = "name", _("Name")
        SCOPE = "scope", _("Scope of production")
        ADDRESS = "address", _("Production address")
        BOUNDARY = "boundary", _("Organisational boundary")
        OWNERSHIP = "ownership", _("Ownership")

    class Status(models.TextChoices):
        DECLARED = "declared", _("Declared")
        PROPOSED = "proposed", _("Verified and proposed by the district")
        APPROVED = "approved", _("Approved by the city")
        REJECTED = "rejected", _("Rejected")

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="changes")
    field = models.CharField(_("what changed"), max_length=10, choices=Field.choices)
    new_value = models.CharField(_("new value"), max_length=300)
    explanation = models.TextField(_("explanation"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DECLARED)
    district_opinion = models.TextField(_("district's opinion"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declared change")
        verbose_name_plural = _("declared changes")

    def __str__(self):
        return f"{self.report} · {self.get_field_display()} → {self.new_value}"
