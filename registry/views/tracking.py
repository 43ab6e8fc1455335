"""Following an objection or a report with its 受理编号 and access code (no login)."""

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from greenfactory.ratelimit import limited
from registry import tracking

NOT_FOUND = _("No submission matches this receipt number and access code. Check both and try again.")


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Receipt number"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "YY-2026-000001"})
    )
    code = forms.CharField(label=_("Access code"), max_length=20, widget=forms.PasswordInput(render_value=False))


@limited("track")
def track(request):
    """POST only carries the code, so it never lands in a URL, a log or the browser history."""
    form = TrackForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = tracking.find(form.cleaned_data["number"], form.cleaned_data["code"])
        if found is None:
            form.add_error(None, NOT_FOUND)
        else:
            form = TrackForm(initial={"number": found.number})
    return render(request, "public/track.html", {"form": form, "found": found})


def receipt(request):
    """The receipt of what this browser just filed: shown once, then only the tracking page remains."""
    shown = request.session.pop("receipt", None)
    if not shown:
        return redirect("track_submission")
    return render(request, "public/receipt.html", {"receipt": shown})
