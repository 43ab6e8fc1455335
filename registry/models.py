"""Published lists and national recommendations (第十七条, 第十八条)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PublishedList(models.Model):
    """A municipal list published after publicity (第十七条); its dossiers hold their ranks."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    publicity_batch = models.OneToOneField(
        "reviews.PublicityBatch", on_delete=models.PROTECT, related_name="published_list"
    )
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("published list")
        verbose_name_plural = _("published lists")

    def __str__(self):
        return self.title


class NationalRecommendation(models.Model):
    """第十七条: a unit the city recommends to MIIT (a record with its year, not a state change)."""

    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.PROTECT, related_name="national_recommendations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommended_at = models.DateTimeField(_("recommended at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "dossier"]
        verbose_name = _("recommendation to MIIT")
        verbose_name_plural = _("recommendations to MIIT")
        constraints = [models.UniqueConstraint(fields=["dossier", "year"], name="one_national_recommendation_per_year")]

    def __str__(self):
        return f"{self.dossier} → MIIT {self.year}"
