"""The self-evaluation (自评价) of a dossier and applicants' requests to join a cultivation pool."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models.append_only import AppendOnlyModel
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
    # The structured evaluation (issue 10): the template version it is scored with, the plan, the
    # steps saved so far, and the evaluator's conclusions where a commissioned agency evaluates.
    template = models.ForeignKey(
        "applications.EvaluationTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evaluation template"),
    )
    problems_and_plan = models.TextField(_("problems and next steps"), blank=True, max_length=5000)
    steps_saved = models.JSONField(_("steps saved"), default=list, blank=True)
    agency_basic_met = models.BooleanField(_("basic requirements met (agency's conclusion)"), null=True, blank=True)
    agency_score = models.DecimalField(
        _("score (agency's conclusion)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    agency_highlights = models.CharField(_("main highlights"), max_length=100, blank=True)
    agency_pledge = models.BooleanField(_("agency's pledge"), default=False)
    agency_concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency_concluded_at = models.DateTimeField(_("agency concluded at"), null=True, blank=True)
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


class ItemAnswer(models.Model):
    """The answer to one template item: met or not (requirements) or the figure (indicators)."""

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.PROTECT, related_name="item_answers")
    item = models.ForeignKey("applications.TemplateItem", on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("met"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    note = models.TextField(_("how it is met"), blank=True, max_length=2000)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item answer")
        verbose_name_plural = _("item answers")
        constraints = [models.UniqueConstraint(fields=["evaluation", "item"], name="one_answer_per_item")]

    def __str__(self):
        return f"{self.evaluation} · {self.item.code}"


class EvidenceFile(models.Model):
    """证明材料: one file of evidence for an item. Kept, never deleted: a withdrawn file leaves the index."""

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.PROTECT, related_name="evidence_files")
    item = models.ForeignKey(
        "applications.TemplateItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="evidence/%Y/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Evidence files are withdrawn, never deleted.")


class EvaluationSnapshot(AppendOnlyModel):
    """What was submitted: answers, evidence index and score, frozen with the template version. Append-only."""

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT, related_name="evaluation_snapshots")
    template = models.ForeignKey("applications.EvaluationTemplate", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("answers"))  # {code: {"met", "value", "note", "evidence": [numbers]}}
    score = models.JSONField(_("score"))  # scoring.Score.as_json()
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=2)
    pass_mark = models.DecimalField(_("pass mark"), max_digits=6, decimal_places=2, null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("submitted evaluation")
        verbose_name_plural = _("submitted evaluations")

    def __str__(self):
        return f"{self.dossier} · {self.total}"


class ReportVersion(AppendOnlyModel):
    """Every evaluation report uploaded for a dossier, in order; a replacement never overwrites one."""

    class Source(models.TextChoices):
        APPLICANT = "applicant", _("Signed and sealed self-evaluation report")
        AGENCY = "agency", _("Third-party evaluation report")
        REPLACEMENT = "replacement", _("Replacement after the agency was barred (Art. 25)")

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT, related_name="report_versions")
    file = models.FileField(_("file"), upload_to="reports/%Y/")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    agency = models.ForeignKey("applications.Agency", on_delete=models.PROTECT, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")

    def __str__(self):
        return f"{self.dossier} · {self.uploaded_at:%Y-%m-%d %H:%M}"
