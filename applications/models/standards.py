"""Evaluation templates (评价指标体系): one per kind and standard, versioned, frozen once used.

A template is data, not code: the figures MIIT and the standards leave open (weights, baseline and
leading values, the share of points a baseline earns) are fields that city staff edit, and items whose
figure is not settled by a public source carry ``uncertain`` (EVALUATION.md). Once a round has chosen a
template, or a dossier was submitted with it, the template is frozen: every save and delete of it, its
areas or its items is refused, whoever calls (screen, admin, shell), and a change makes a new version.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models.reference import Kind


class TemplateFrozen(PermissionDenied):
    """A frozen template was about to change; the message says what to do instead."""


def _frozen_message(template):
    return gettext(
        "%(template)s has been used by a round or a submitted dossier and is frozen; make a new version to change it."
    ) % {"template": template}


class EvaluationTemplate(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    standard = models.CharField(_("standard"), max_length=60, help_text=_("e.g. GB/T 36132-2025"))
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("previous version")
    )
    baseline_share = models.DecimalField(
        _("share of an indicator's points earned at its baseline value"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.6"),
        help_text=_("Between 0 and 1. Not fixed by a public source: a setting."),
    )
    source = models.TextField(_("public sources"), blank=True)
    note = models.TextField(_("note"), blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "standard", "-version"]
        verbose_name = _("evaluation template")
        verbose_name_plural = _("evaluation templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "standard", "version"], name="one_template_version"),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("frozen_at", flat=True).first()
            if stored is not None:
                raise TemplateFrozen(_frozen_message(self))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(gettext("Evaluation templates are kept; make a new version instead."))

    @property
    def is_frozen(self):
        return self.frozen_at is not None

    def freeze(self, at=None):
        """Freeze once (idempotent); an update so that the frozen check in ``save`` is not met."""
        if self.frozen_at is None:
            self.frozen_at = at or timezone.now()
            type(self).objects.filter(pk=self.pk, frozen_at__isnull=True).update(frozen_at=self.frozen_at)

    def ordered_items(self):
        return (
            TemplateItem.objects.filter(area__template=self)
            .select_related("area")
            .order_by("area__order", "area__pk", "order", "pk")
        )

    @property
    def max_points(self):
        return sum((item.points for item in self.ordered_items() if item.kind != ItemKind.VETO), Decimal(0))


class _FrozenWithTemplate(models.Model):
    """Areas and items change only while their template is a draft."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_frozen()
        if self.pk is not None:
            # Moving a row out of a frozen template is a change to that template too.
            stored = type(self)._base_manager.filter(pk=self.pk).first()
            if stored is not None and stored._template().is_frozen:
                raise TemplateFrozen(_frozen_message(stored._template()))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_frozen()
        return super().delete(*args, **kwargs)

    def _template(self):
        raise NotImplementedError

    def _refuse_if_frozen(self):
        template = self._template()
        if EvaluationTemplate.objects.filter(pk=template.pk, frozen_at__isnull=False).exists():
            raise TemplateFrozen(_frozen_message(template))


class TemplateArea(_FrozenWithTemplate):
    """一级指标: an area of the template (基本要求, 基础设施, 能源低碳化 …)."""

    template = models.ForeignKey(EvaluationTemplate, on_delete=models.PROTECT, related_name="areas")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("area"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("template area")
        verbose_name_plural = _("template areas")
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="one_area_code_per_template")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def _template(self):
        return self.template


class ItemKind(models.TextChoices):
    VETO = "veto", _("Basic requirement (veto)")
    REQUIRED = "required", _("Required item")
    OPTIONAL = "optional", _("Optional item")
    QUANTITATIVE = "quantitative", _("Quantitative indicator")


class Direction(models.TextChoices):
    LOWER = "lower", _("Lower is better")
    HIGHER = "higher", _("Higher is better")


class TemplateItem(_FrozenWithTemplate):
    """二级指标: one requirement or indicator, with its points, and for a figure its unit and values."""

    area = models.ForeignKey(TemplateArea, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("requirement"))
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=Decimal(0))
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices, blank=True)
    baseline = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=4, null=True, blank=True)
    leading = models.DecimalField(_("leading value"), max_digits=14, decimal_places=4, null=True, blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=True)
    uncertain = models.BooleanField(
        _("figure uncertain"), default=False, help_text=_("Points or values not settled by a public source.")
    )
    guidance = models.TextField(_("guidance for the applicant"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "order", "pk"]
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="one_item_code_per_area")]

    def __str__(self):
        return f"{self.code} {self.text[:40]}"

    def _template(self):
        return self.area.template

    @property
    def is_quantitative(self):
        return self.kind == ItemKind.QUANTITATIVE
