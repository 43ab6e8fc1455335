"""`{% document_actions "publicity" batch %}`: the draft, issue and download links of a notice, shown
on the page where staff used to print it."""

from django import template

from accounts import scoping
from registry import documents

register = template.Library()


@register.inclusion_tag("registry/documents/_actions.html", takes_context=True)
def document_actions(context, kind, subject, preloaded=None):
    """``preloaded``: a list page's ``PreloadedDocuments`` (registry.views.staff), so each row costs no query."""
    request = context["request"]
    if preloaded is not None:
        issued, may_issue = preloaded.issued.get(subject.pk), preloaded.may_issue
    else:
        issued = documents.current(kind, subject, with_pdf=False)
        may_issue = scoping.may_issue(request.user, documents.KINDS[kind].organ(subject))
    return {
        "kind": kind,
        "subject": subject,
        "issued": issued,
        "may_issue": may_issue,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
