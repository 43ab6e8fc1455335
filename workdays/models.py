"""The official PRC working-day calendar: statutory holidays and make-up working days (调休上班).

Only exceptions to Monday-Friday are stored. A year counts as loaded when it has a ScheduleYear row;
years without one fall back to Monday-Friday and staff are warned (the State Council publishes next
year's schedule each November; chinesecalendar 1.11.0 stops at 2026).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ScheduleYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("holiday schedule of a year")
        verbose_name_plural = _("holiday schedules")

    def __str__(self):
        return str(self.year)


class DayOverride(models.Model):
    """A day whose status differs from Monday-Friday: a holiday on a weekday or a make-up working day."""

    date = models.DateField(_("date"), unique=True)
    working = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holidays and make-up working days")

    def __str__(self):
        return f"{self.date} {self.name} ({_('working') if self.working else _('off')})"
