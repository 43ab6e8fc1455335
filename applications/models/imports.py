"""A large import (the district's pool sheet, MIIT's national list) run in the background (issue 13)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded sheet being imported for the user who sent it: its parsed rows, progress, and the
    per-row report (imported or not, and why), kept so the report can be read and downloaded later."""

    class Kind(models.TextChoices):
        POOL = "pool", _("Cultivation pool (Art. 8, 13)")
        NATIONAL = "national", _("MIIT national list (Art. 18)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being imported")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(_("import"), max_length=16, choices=Kind.choices)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    rows = models.JSONField(_("rows read from the sheet"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    report = models.JSONField(_("report per row"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse("import_job", args=[self.pk])

    @property
    def in_progress(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self):
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    @property
    def imported(self):
        return sum(1 for row in self.report if row[3])
