"""What a person should do next with a dossier, in one sentence, by state and role."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from applications.models import AFTER_RECOMMENDATION, State

NEXT_STEP = {
    (State.POOLED, Role.APPLICANT): _(
        "Fill in the self-evaluation, upload the evaluation report and submit before the district deadline."
    ),
    (State.POOLED, Role.AGENCY): _("Upload the evaluation report for your client."),
    (State.POOLED, Role.DISTRICT): _("Waiting for the applicant's self-evaluation and report."),
    (State.RETURNED, Role.APPLICANT): _("Revise as the district asked (see the reason below) and submit again."),
    (State.RETURNED, Role.DISTRICT): _("Returned to the applicant; waiting for the revised submission."),
    (State.SUBMITTED, Role.APPLICANT): _("Submitted. The district is checking your materials."),
    (State.SUBMITTED, Role.DISTRICT): _(
        "Check the materials; return them with reasons, or mark them checked and include them in the "
        "recommendation batch before 30 May."
    ),
    (State.RECOMMENDED, None): _("Recommended to the city; waiting for the municipal conformity check (Art. 16)."),
    (State.IN_LIBRARY, None): _("In the municipal project library; waiting for the expert review (Art. 17)."),
    (State.IN_REVIEW, None): _("Under expert review (Art. 17)."),
    (State.IN_PUBLICITY, None): _("In publicity for 5 working days (Art. 17)."),
    (State.NOMINATED, None): _("Recommended to MIIT; waiting for the national list (Art. 18)."),
    (State.LISTED, None): _("On the list. File the annual dynamic-management form by 15 March every year (Art. 19)."),
    (State.RECHECKING, None): _("Being rechecked by the district (Art. 21)."),
}


def next_step(dossier, user):
    if dossier.state in AFTER_RECOMMENDATION and dossier.agency is not None and dossier.agency.is_barred():
        return _(
            "Art. 25: the agency that made the report is barred; the dossier goes no further until the applicant "
            "attaches a new report from an agency in good standing."
        )
    return NEXT_STEP.get((dossier.state, user.role)) or NEXT_STEP.get((dossier.state, None), "")


def days_left(day):
    return (day - timezone.localdate()).days
