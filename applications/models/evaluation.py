"""The self-evaluation (自评价) of a dossier and applicants' requests to join a cultivation pool."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models.organisations import Organisation
from applications.models.reference import Kind

# Key indicators of the self-evaluation: (field, label, unit). Units with "{product}" use the product unit.
INDICATORS = [
    ("energy_per_unit", _("Energy use per unit product"), "tce/{product}"),
    ("water_per_unit", _("Water use per unit product"), "m³/{product}"),
    ("solid_waste_utilisation", _("Solid-waste utilisation rate"), "%"),
    ("renewable_share", _("Renewable-energy share"), "%"),
    ("carbon_emissions", _("Carbon emissions"), "tCO₂e/a"),
    ("output_per_land", _("Output value per land area"), "万元/亩"),
]


class SelfEvaluation(models.Model):
    """The applicant's draft and submitted answers. Declarations become append-only rows on submission."""

    dossier = models.OneToOneField("applications.Dossier", on_delete=models.PROTECT, related_name="self_evaluation")
    product_unit = models.CharField(_("product unit"), max_length=20, blank=True, help_text=_("e.g. t, 10⁴ pcs"))
    energy_per_unit = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    water_per_unit = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    solid_waste_utilisation = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    renewable_share = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    carbon_emissions = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    output_per_land = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # {criterion: {"met": bool, "evidence": str}} and {"1".."6": {"applies": bool, "evidence": str}}
    eligibility_answers = models.JSONField(default=dict, blank=True)
    exclusion_answers = models.JSONField(default=dict, blank=True)
    evidence_file = models.FileField(_("supporting evidence (PDF)"), upload_to="evidence/%Y/", blank=True)
    pledge = models.BooleanField(_("truthfulness pledge"), default=False)
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("self-evaluation")
        verbose_name_plural = _("self-evaluations")

    def __str__(self):
        return str(self.dossier)

    def indicator_rows(self):
        unit = self.product_unit or "—"
        return [(label, getattr(self, field), suffix.format(product=unit)) for field, label, suffix in INDICATORS]


class PoolRequest(models.Model):
    """第八条, 第十三条: an applicant asks its district to put it in the cultivation pool."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pool_requests")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    cycle_year = models.PositiveSmallIntegerField(_("cycle year"))
    note = models.TextField(_("note to the district"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reply"), blank=True)
    dossier = models.OneToOneField(
        "applications.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="pool_request"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("pool request")
        verbose_name_plural = _("pool requests")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "cycle_year"],
                condition=models.Q(status="pending"),
                name="one_pending_pool_request",
            )
        ]

    def __str__(self):
        return f"{self.organisation} · {self.get_kind_display()} · {self.cycle_year}"
