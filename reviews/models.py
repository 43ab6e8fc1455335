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


class Objection(models.Model):
    """An objection (异议) to an entry of a publicity list, in writing and under a real name (第十七条).

    The objector's identity is confidential: only the deciding municipal staff see it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    class ObjectorKind(models.TextChoices):
        UNIT = "unit", _("Unit (sealed)")
        PERSON = "person", _("Individual (signed)")

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT, related_name="objections")
    objector_kind = models.CharField(_("objector"), max_length=8, choices=ObjectorKind.choices)
    objector_name = models.CharField(_("real name"), max_length=100)
    objector_phone = models.CharField(_("contact phone"), max_length=32)
    content = models.TextField(_("content"))
    evidence = models.FileField(_("evidence"), upload_to="objections/%Y/", blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return f"{self.dossier} · {self.get_status_display()}"
