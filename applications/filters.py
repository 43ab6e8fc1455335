import django_filters
from django.utils.translation import gettext_lazy as _

from applications.models import District, Dossier, Kind, State


class DossierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or credit code"))
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("State"), empty_label=_("All"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"), empty_label=_("All"))
    cycle_year = django_filters.NumberFilter(label=_("Cycle year"))
    district = django_filters.ModelChoiceFilter(
        field_name="district", queryset=District.objects.all(), label=_("District"), empty_label=_("All")
    )

    class Meta:
        model = Dossier
        fields = ["q", "state", "kind", "cycle_year", "district"]

    @property
    def qs(self):
        """The filtered dossiers in the lists' order (``Dossier.LIST_ORDER``) unless a filter chose another."""
        rows = super().qs
        return rows if rows.query.order_by else rows.order_by(*Dossier.LIST_ORDER)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(organisation__name__icontains=value) | queryset.filter(
            organisation__credit_code=value.replace(" ", "").upper()
        )
