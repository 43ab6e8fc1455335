"""District recommendation (第十五条) and expert review (第十七条)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RecommendationBatch(models.Model):
    """第十五条: the list a district sends to the city for one cycle year. Its dossiers point to it."""

    district = models.ForeignKey(
        "applications.District", on_delete=models.PROTECT, related_name="recommendation_batches"
    )
    cycle_year = models.PositiveSmallIntegerField(_("cycle year"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    note = models.TextField(_("covering note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("recommendation batch")
        verbose_name_plural = _("recommendation batches")

    def __str__(self):
        return f"{self.district} · {self.cycle_year} · {self.submitted_at:%Y-%m-%d}"


class ExpertAssignment(models.Model):
    """An expert assigned to one dossier. A declared conflict of interest takes the dossier out of scope."""

    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.PROTECT, related_name="expert_assignments", verbose_name=_("dossier")
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_assignments", verbose_name=_("expert")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    conflict_declared = models.BooleanField(_("conflict of interest declared"), default=False)
    conflict_note = models.TextField(_("conflict of interest note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        constraints = [models.UniqueConstraint(fields=["dossier", "expert"], name="one_assignment_per_expert")]

    def __str__(self):
        return f"{self.expert} → {self.dossier}"
