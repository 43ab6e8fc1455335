"""`{% document_actions "publicity" batch %}`: the draft, issue and download links of a notice, shown
on the page where staff used to print it."""

from django import template

from accounts import scoping
from registry import documents

register = template.Library()


@register.inclusion_tag("registry/documents/_actions.html", takes_context=True)
def document_actions(context, kind, subject):
    request = context["request"]
    issued = documents.current(kind, subject, with_pdf=False)
    organ = documents.KINDS[kind].organ(subject)
    return {
        "kind": kind,
        "subject": subject,
        "issued": issued,
        "may_issue": scoping.may_issue(request.user, organ),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
