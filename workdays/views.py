from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workdays import services
from workdays.models import DayOverride, ScheduleYear


class ScheduleForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2004, max_value=2100)
    source = forms.CharField(
        label=gettext_lazy("Source"), max_length=200, help_text=gettext_lazy("e.g. the State Council notice number")
    )
    text = forms.CharField(
        label=gettext_lazy("Schedule, one line per day or range"),
        widget=forms.Textarea(
            attrs={
                "rows": 12,
                "placeholder": "2027-01-01 休 元旦\n2027-10-01~2027-10-07 休 国庆节\n2027-09-26 班 国庆节调休",
            }
        ),
    )

    def clean(self):
        data = super().clean()
        if "year" in data and "text" in data:
            try:
                data["entries"] = services.parse_schedule(data["text"], data["year"])
            except services.ScheduleError as error:
                for message in error.args[0]:
                    self.add_error("text", message)
        return data


def may_load_calendar(user):
    """City staff load a year's official schedule (the calendar page; the banner asking for it shows to them alone)."""
    return user.is_authenticated and (user.is_superuser or getattr(user, "role", None) in ("municipal", "staff"))


def staff_only(request):
    if not may_load_calendar(request.user):
        raise Http404


@login_required
def calendar(request):
    staff_only(request)
    form = ScheduleForm(request.POST or None, initial={"year": timezone.localdate().year + 1})
    if request.method == "POST" and form.is_valid():
        stored = services.load_schedule(
            form.cleaned_data["year"], form.cleaned_data["entries"], source=form.cleaned_data["source"]
        )
        messages.success(
            request,
            _("The %(year)d schedule was loaded: %(n)d holidays and make-up working days.")
            % {"year": form.cleaned_data["year"], "n": stored},
        )
        return redirect("calendar")
    year = timezone.localdate().year
    context = {
        "form": form,
        "years": ScheduleYear.objects.all()[:5],
        "overrides": DayOverride.objects.filter(date__year__in=[year, year + 1]),
        "missing": services.missing_years([year, year + 1]),
    }
    return render(request, "workdays/calendar.html", context)
