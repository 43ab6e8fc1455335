"""What a person should do next with a dossier, in one sentence, by state and role."""

from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from applications.models import AFTER_RECOMMENDATION, State
from applications.models.guards import recommendation_deadline

# 第十四条: a commissioned dossier waits for its agency's report while it is not submitted and either has no
# report yet or was returned by the district after its last report (a report uploaded since the return is
# the corrected one). A returned dossier's ``submitted_at`` is the submission the district returned.
REPORT_AWAITED = Q(state=State.POOLED, report="") | (
    Q(state=State.RETURNED)
    & (Q(report="") | Q(report_uploaded_at__isnull=True) | Q(report_uploaded_at__lte=F("submitted_at")))
)


def report_awaited(dossier):
    """The Python twin of ``REPORT_AWAITED`` for one dossier."""
    if dossier.state == State.POOLED:
        return not dossier.report
    if dossier.state == State.RETURNED:
        uploaded, submitted = dossier.report_uploaded_at, dossier.submitted_at
        return not dossier.report or uploaded is None or (submitted is not None and uploaded <= submitted)
    return False


def _report_step(dossier, user):
    """Next step of an unsubmitted dossier around its report (第十四条, 第十五条), or None."""
    if dossier.state not in (State.POOLED, State.RETURNED) or user.role not in (Role.AGENCY, Role.APPLICANT):
        return None
    day = date_format(recommendation_deadline(dossier.cycle_year).date(), "Y-m-d")
    if user.role == Role.AGENCY:
        if report_awaited(dossier):
            if dossier.state == State.RETURNED:
                return gettext(
                    "Returned by the district: upload the corrected evaluation report (see the reason below); "
                    "the unit must submit again before %(day)s (Art. 14, 15)."
                ) % {"day": day}
            return None
        return gettext(
            "Report uploaded; the unit must submit it to the district bureau before %(day)s (Art. 14, 15)."
        ) % {"day": day}
    if dossier.agency_id and dossier.state == State.RETURNED and not report_awaited(dossier):
        return gettext(
            "The agency uploaded the corrected report; check it and submit again to the district bureau "
            "before %(day)s (Art. 14, 15)."
        ) % {"day": day}
    return None


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
    step = _report_step(dossier, user)
    if step:
        return step
    return NEXT_STEP.get((dossier.state, user.role)) or NEXT_STEP.get((dossier.state, None), "")


def days_left(day):
    return (day - timezone.localdate()).days
