import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from applications.filters import DossierFilter
from applications.models import Agency


class QueueFilter(DossierFilter):
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("Agency"), empty_label=_("All"))
    ready = django_filters.BooleanFilter(
        field_name="district_ready_at", lookup_expr="isnull", exclude=True, label=_("Checked by the district")
    )
    order = django_filters.OrderingFilter(
        fields=(
            ("organisation__name", "name"),
            ("submitted_at", "submitted"),
            ("kind", "kind"),
            ("cycle_year", "year"),
        ),
        field_labels={"name": _("Name"), "submitted": _("Submitted at"), "kind": _("Kind"), "year": _("Cycle year")},
        label=_("Sort by"),
        empty_label=_("Default"),
    )

    class Meta(DossierFilter.Meta):
        fields = ["q", "state", "kind", "cycle_year", "agency", "ready"]


class BatchForm(forms.Form):
    note = forms.CharField(
        label=_("Covering note to the city"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
