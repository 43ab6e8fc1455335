"""Reference data: districts (Art. 2, 5), kinds of unit (Art. 3) and list levels (Art. 3, 17, 18)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    FACTORY = "factory", _("Green factory")
    PARK = "park", _("Green industrial park")
    SUPPLY_CHAIN = "supply_chain", _("Green supply-chain management enterprise")


class Level(models.TextChoices):
    DISTRICT = "district", _("District level")
    MUNICIPAL = "municipal", _("Municipal level")
    NATIONAL = "national", _("National level")


class District(models.Model):
    """One of Shenzhen's districts; its bureau's name changes with reorganisations, so it is editable."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32, unique=True)
    bureau_name = models.CharField(_("industry bureau"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name
