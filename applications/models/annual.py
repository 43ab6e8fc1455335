"""The annual dynamic-management form (年度动态管理表), 第十九条 and 第二十条. Indicators come with #6."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

ANNUAL_DUE_MONTH_DAY = (3, 15)  # 第十九条: by 15 March each year


class AnnualReport(models.Model):
    class Status(models.TextChoices):
        DUE = "due", _("Due")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DUE, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 第二十一条第（二）项: not filed by the due date; set once by the deadline sweep.
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "dossier"]
        verbose_name = _("annual dynamic-management form")
        verbose_name_plural = _("annual dynamic-management forms")
        constraints = [models.UniqueConstraint(fields=["dossier", "year"], name="one_annual_report_per_year")]

    def __str__(self):
        return f"{self.dossier.organisation} · {self.year}"
