"""The "official holiday schedule not loaded" banner (issue 15): shown only to those who can load it (city staff),
only on the pages where they plan periods (their workspace and the publicity pages), and only when there is
something to load: the current year's schedule, or next year's from November on (the State Council publishes it
each November, so before then nobody can act on it)."""

from django import template
from django.utils import timezone

from workdays.services import missing_years
from workdays.views import may_load_calendar

register = template.Library()

BANNER_PAGES = {"home", "publicity_batches", "publicity_batch"}
PUBLISHED_FROM_MONTH = 11


def years_to_load(today):
    wanted = [today.year] + ([today.year + 1] if today.month >= PUBLISHED_FROM_MONTH else [])
    return missing_years(wanted)


@register.inclusion_tag("workdays/_schedule_banner_body.html", takes_context=True)
def schedule_banner(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if request is None or match is None or match.url_name not in BANNER_PAGES or not may_load_calendar(request.user):
        return {"years": []}
    return {"years": years_to_load(timezone.localdate())}
