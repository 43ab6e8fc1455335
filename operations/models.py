from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models.append_only import AppendOnlyModel


class SweepRun(AppendOnlyModel):
    """One finished run of a deadline sweep (``greenfactory.sweeps.run_sweep``), written once when it ends and
    never changed or deleted. Dry runs (``run_deadlines`` without ``--apply``) roll back with their work."""

    name = models.CharField(_("sweep"), max_length=100)
    as_of = models.DateTimeField(_("as of"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    changes = models.PositiveIntegerField(_("changes"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"))
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        ordering = ["-finished_at", "-pk"]
        indexes = [models.Index(fields=["name", "ok", "finished_at"], name="sweeprun_name_ok_finished")]

    def __str__(self):
        return f"{self.name} {self.finished_at:%Y-%m-%d %H:%M}"
