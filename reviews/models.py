"""Expert review (第十七条). An assignment is the basis of an expert's scope; scoring comes with #5."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
