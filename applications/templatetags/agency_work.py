"""``{% agency_awaiting %}``: the agency home's list of dossiers awaiting its report (第十四条, 第十五条)."""

from django import template

register = template.Library()


@register.inclusion_tag("applications/_agency_awaiting.html", takes_context=True)
def agency_awaiting(context):
    from applications.views.agency import panel

    user = context["user"]
    return {"user": user, **panel(user)}
