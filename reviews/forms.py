import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from applications.filters import DossierFilter
from applications.models import Agency

SORTS = {
    "name": ("organisation_name", _("Name")),
    "newest": ("-submitted_at", _("Newest submissions first")),
    "oldest": ("submitted_at", _("Oldest submissions first")),
    "kind": ("kind", _("Kind")),
}


class QueueFilter(DossierFilter):
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("Agency"), empty_label=_("All"))
    ready = django_filters.ChoiceFilter(
        choices=[("yes", _("Checked")), ("no", _("Not checked"))],
        method="filter_ready",
        label=_("Checked by the district"),
        empty_label=_("All"),
    )
    order = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (_field, label) in SORTS.items()],
        method="sort",
        label=_("Sort by"),
        empty_label=_("Default"),
    )

    class Meta(DossierFilter.Meta):
        fields = ["q", "state", "kind", "cycle_year", "agency", "ready"]

    def filter_ready(self, queryset, name, value):
        return queryset.filter(district_ready_at__isnull=value != "yes")

    def sort(self, queryset, name, value):
        return queryset.order_by(SORTS[value][0], "pk")


class BatchForm(forms.Form):
    note = forms.CharField(
        label=_("Covering note to the city"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
