"""District recommendation (第十五条) and expert review (第十七条)."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models.append_only import AppendOnlyModel


class RecommendationBatch(AppendOnlyModel):
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
    # The receipt (受理编号) and the hash of the access code the objector follows the objection with;
    # rows filed before receipts existed have none.
    receipt_number = models.CharField(_("receipt number"), max_length=20, unique=True, null=True, blank=True)
    access_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    contact_email = models.EmailField(_("email for the receipt"), blank=True)
    history = HistoricalRecords(excluded_fields=["access_code_hash"])

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return f"{self.dossier} · {self.get_status_display()}"


class ReceiptCounter(models.Model):
    """The last receipt number given in one series (YY 异议, JB 举报) and year; locked while a number is taken,
    so numbers run without gaps or repeats (a rolled-back submission rolls its number back too)."""

    series = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="one_receipt_counter_per_series_year")]

    def __str__(self):
        return f"{self.series}-{self.year}: {self.last_number}"


class Round(models.Model):
    """One year's round for one kind: MIIT changes the rules between years, so they are settings here."""

    class Standard(models.TextChoices):
        GBT_36132_2018 = "GB/T 36132-2018", "GB/T 36132-2018"
        GBT_36132_2025 = "GB/T 36132-2025", "GB/T 36132-2025"

    class Aggregation(models.TextChoices):
        MEAN = "mean", _("Mean")
        MEDIAN = "median", _("Median")

    class Visibility(models.TextChoices):
        NEVER = "never", _("Never")
        AFTER_OWN = "after_own", _("After the expert's own review")

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=[
            ("factory", _("Green factory")),
            ("park", _("Green industrial park")),
            ("supply_chain", _("Green supply-chain management enterprise")),
        ],
    )
    is_open = models.BooleanField(_("open for applications"), default=True)
    third_party_required = models.BooleanField(_("third-party report required"), default=False)
    standard = models.CharField(
        _("evaluation standard"), max_length=20, choices=Standard.choices, default=Standard.GBT_36132_2025
    )
    template = models.ForeignKey(
        "applications.EvaluationTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds",
        verbose_name=_("evaluation template"),
        help_text=_("Choosing a template freezes it: changes to it then make a new version."),
    )
    pass_mark = models.DecimalField(
        _("pass mark of the self-evaluation"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    aggregation = models.CharField(
        _("aggregation of expert scores"), max_length=8, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    score_visibility = models.CharField(
        _("experts see others' scores"), max_length=10, choices=Visibility.choices, default=Visibility.AFTER_OWN
    )
    select_count = models.PositiveSmallIntegerField(_("number of units to select"), default=10)
    scoring_deadline = models.DateField(
        _("scoring deadline"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Experts are reminded 3 days and 1 day before it, and once when it has passed."),
    )
    objection_contact = models.CharField(
        _("objection contact"),
        max_length=300,
        blank=True,
        help_text=_("Shown on the publicity notice: office, telephone and address for written objections."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "kind"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="one_round_per_year_and_kind")]

    def __str__(self):
        return f"{self.year} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.template_id:
            # A template a round has used is frozen (issue 10); the admin and the screens meet this alike.
            self.template.freeze()


class Criterion(models.Model):
    """A weighted review criterion of a round; an expert scores it from 0 to ``max_score``."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=100)
    description = models.TextField(
        _("what the expert looks for"), blank=True, help_text=_("Shown to the experts beside the score.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "order", "pk"]
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")

    def __str__(self):
        return f"{self.name} ({self.weight}%)"


CONFORMITY_ITEMS = [
    ("complete", _("Materials complete and signed")),
    ("report", _("Evaluation report follows the round's standard")),
    ("eligibility", _("Eligibility conditions evidenced (Art. 9-11)")),
    ("exclusions", _("No Art. 12 circumstance found in public credit records")),
    ("consistency", _("Data consistent with the national platform filing")),
]


class ConformityCheck(AppendOnlyModel):
    """第十六条: the municipal conformity check of a recommended dossier, item by item."""

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT, related_name="conformity_checks")
    results = models.JSONField(_("results"), default=dict)  # {item: true/false}
    passed = models.BooleanField(_("passed"))
    reasons = models.TextField(_("reasons"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("conformity check")
        verbose_name_plural = _("conformity checks")

    def __str__(self):
        return f"{self.dossier} · {'✓' if self.passed else '✗'}"


class ExpertLink(models.Model):
    """An expert's declared tie to an organisation or agency: such dossiers cannot be assigned to them."""

    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_links")
    organisation = models.ForeignKey("applications.Organisation", on_delete=models.CASCADE, null=True, blank=True)
    agency = models.ForeignKey("applications.Agency", on_delete=models.CASCADE, null=True, blank=True)
    note = models.CharField(_("nature of the link"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expert's declared link")
        verbose_name_plural = _("experts' declared links")

    def __str__(self):
        return f"{self.expert} ↔ {self.organisation or self.agency}"


FINAL_REVIEW_FIELDS = ("assignment_id", "scores", "total", "comment", "finalised_at", "no_conflict_declared_at")


def final_review_refusal():
    return PermissionDenied(_("Final scores were submitted and can no longer be changed (Art. 17)."))


class ReviewQuerySet(models.QuerySet):
    """Bulk writes meet the rule of ``Review.save``: a final review is never changed or deleted."""

    def update(self, **kwargs):
        if self.filter(finalised_at__isnull=False).exists():
            raise final_review_refusal()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(finalised_at__isnull=False).exists():
            raise final_review_refusal()
        return super().delete()

    def final(self):
        return self.filter(finalised_at__isnull=False)


class Review(models.Model):
    """An expert's scores (per criterion) and comments on one assigned dossier.

    A draft (``finalised_at`` empty) may be incomplete and changed at will; once final it counts in the
    review (第十七条) and is never changed again, whatever the path (screens, admin, shell).
    """

    assignment = models.OneToOneField(ExpertAssignment, on_delete=models.PROTECT, related_name="review")
    scores = models.JSONField(_("scores"), default=dict)  # {criterion id (str): score}
    total = models.DecimalField(_("weighted total"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField(_("last saved at"), default=timezone.now)
    finalised_at = models.DateTimeField(_("final scores submitted at"), null=True, blank=True, db_index=True)
    # 第十七条: the city organises the review; an expert scores only a unit they have no conflict with, and says so.
    no_conflict_declared_at = models.DateTimeField(
        _("no conflict of interest declared at"),
        null=True,
        blank=True,
        help_text=_(
            "When the expert declared, with the final scores, that they have no conflict of interest with the unit "
            "or its evaluation agency (Art. 17). Empty for a draft, and for final scores submitted before the "
            "portal asked for this declaration."
        ),
    )
    history = HistoricalRecords()

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert review")
        verbose_name_plural = _("expert reviews")

    def __str__(self):
        return f"{self.assignment} · {self.total if self.total is not None else '—'}"

    def save(self, *args, **kwargs):
        stored = Review.objects.filter(pk=self.pk).values(*FINAL_REVIEW_FIELDS).first() if self.pk else None
        if (
            stored
            and stored["finalised_at"] is not None
            and any(_differs(stored[name], getattr(self, name)) for name in FINAL_REVIEW_FIELDS)
        ):
            raise final_review_refusal()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and Review.objects.filter(pk=self.pk, finalised_at__isnull=False).exists():
            raise final_review_refusal()
        return super().delete(*args, **kwargs)

    @property
    def is_final(self):
        return self.finalised_at is not None


def _number(value):
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return value


def _differs(stored, current):
    if isinstance(stored, dict) and isinstance(current, dict):
        # Scores are kept as text: "80" and "80.00" are the same score.
        return {k: _number(v) for k, v in stored.items()} != {k: _number(v) for k, v in current.items()}
    return stored != current


class PublicityBatch(AppendOnlyModel):
    """第十七条: green factories in publicity for 5 working days (end computed by the working-day service)."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"), db_index=True)
    contact = models.CharField(_("objection contact"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("publicity batch")
        verbose_name_plural = _("publicity batches")

    def __str__(self):
        return self.title

    def is_running(self, today):
        return self.starts_on <= today <= self.ends_on


class PublicityEntry(AppendOnlyModel):
    """One unit of a publicity batch, in the notice's order (序号)."""

    batch = models.ForeignKey(PublicityBatch, on_delete=models.PROTECT, related_name="entries")
    dossier = models.OneToOneField("applications.Dossier", on_delete=models.PROTECT, related_name="publicity_entry")
    position = models.PositiveSmallIntegerField(_("number"))
    aggregate = models.DecimalField(_("review result"), max_digits=6, decimal_places=2, null=True, blank=True)
    selection_note = models.CharField(_("reason for selection by hand"), max_length=300, blank=True)

    class Meta:
        ordering = ["batch", "position"]
        verbose_name = _("publicity entry")
        verbose_name_plural = _("publicity entries")

    def __str__(self):
        return f"{self.batch} #{self.position}"
