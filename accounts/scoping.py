"""The one place that decides who may see and do what (DOMAIN.md, "Who uses the portal").

Every view and admin queryset goes through these functions; an object outside a user's scope is
simply not in the queryset, so views answer 404 for it.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import ADMIN_ROLES, Role
from applications.models import (
    AFTER_RECOMMENDATION,
    EDITABLE_STATES,
    SYSTEM_ONLY,
    TRANSITION_PATHS,
    Agency,
    Dossier,
    Organisation,
    Path,
)

# Which roles may perform each transition (on a dossier within their scope). "lapse" is the system's.
TRANSITION_ROLES = {
    "submit": {Role.APPLICANT, Role.AGENCY},
    "withdraw": {Role.APPLICANT},
    "return_for_revision": {Role.DISTRICT},
    "recommend": {Role.DISTRICT},
    "pass_conformity": {Role.MUNICIPAL, Role.STAFF},
    "fail_conformity": {Role.MUNICIPAL, Role.STAFF},
    "open_review": {Role.MUNICIPAL, Role.STAFF},
    "select_for_publicity": {Role.MUNICIPAL, Role.STAFF},
    "nominate": {Role.MUNICIPAL, Role.STAFF},
    "not_select": {Role.MUNICIPAL, Role.STAFF},
    "uphold_objection": {Role.MUNICIPAL, Role.STAFF},
    "publish": {Role.MUNICIPAL, Role.STAFF},
    "include_in_national_list": {Role.MUNICIPAL, Role.STAFF},
    "exclude_from_national_list": {Role.MUNICIPAL, Role.STAFF},
    "open_recheck": {Role.DISTRICT, Role.MUNICIPAL, Role.STAFF},
    "keep_after_recheck": {Role.MUNICIPAL, Role.STAFF},
    "remove": {Role.MUNICIPAL, Role.STAFF},
    "lapse": set(),
}


def _sees_all(user):
    return user.is_superuser or user.role in (Role.MUNICIPAL, Role.STAFF)


def dossiers_for(user):
    """Dossiers ``user`` may see."""
    qs = Dossier.objects.select_related("organisation__district", "agency")
    scoped = _by_organisation(qs, user, "organisation", district="district_id")
    if scoped is not None:
        return scoped
    if user.role == Role.AGENCY and user.agency_id:
        return qs.filter(agency_id=user.agency_id)
    if user.role == Role.EXPERT:
        return qs.filter(expert_assignments__expert=user, expert_assignments__conflict_declared=False).distinct()
    return qs.none()


def _by_organisation(qs, user, path="", *, district=None):
    """Rows that belong to an organisation (``path`` leads to it): the city sees all, an applicant its
    own organisation, a district officer its district. None for other roles, which the caller decides.
    ``district`` names a shorter path to the district where there is one: the dossier's own copy of its
    organisation's district (``Dossier.district``), which spares a join on every district page."""
    if not user.is_authenticated or user.role in ADMIN_ROLES:
        return qs.none()  # 三员分立: the system, security and audit administrators see no business data
    if _sees_all(user):
        return qs
    if user.role == Role.APPLICANT and user.organisation_id:
        return qs.filter(**{f"{path}_id" if path else "pk": user.organisation_id})
    if user.role == Role.DISTRICT and user.district_id:
        return qs.filter(**{district or (f"{path}__district_id" if path else "district_id"): user.district_id})
    return None


def organisations_for(user):
    qs = Organisation.objects.select_related("district")
    scoped = _by_organisation(qs, user)
    if scoped is not None:
        return scoped
    if user.role in (Role.AGENCY, Role.EXPERT):
        return qs.filter(pk__in=dossiers_for(user).values("organisation_id"))
    return qs.none()


def agencies_for(user):
    qs = Agency.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if _sees_all(user) or user.role in (Role.DISTRICT, Role.APPLICANT):
        return qs  # applicants choose an agency; districts flag poor ones (Art. 23)
    if user.role == Role.AGENCY and user.agency_id:
        return qs.filter(pk=user.agency_id)
    return qs.none()


def log_entries_for(user):
    from applications.models import TransitionLog

    return TransitionLog.objects.filter(dossier__in=dossiers_for(user))


def get_dossier(user, pk):
    """The dossier ``pk`` if ``user`` may see it; 404 otherwise (no hint that it exists)."""
    return get_object_or_404(dossiers_for(user), pk=pk)


def _role_may(user, name):
    """Role × transition table; a system-only transition (第十五条 lapse) is nobody's, superusers included."""
    if name in SYSTEM_ONLY:
        return False
    return user.is_superuser or user.role in TRANSITION_ROLES.get(name, set())


def may_transition(user, dossier, name):
    """(allowed, reason): may ``user`` perform transition ``name`` on ``dossier``? Rules are checked later."""
    if not user.is_authenticated:
        return False, _("Please log in.")
    if not dossiers_for(user).filter(pk=dossier.pk).exists():
        return False, _("This dossier is outside your scope.")
    if _role_may(user, name):
        return True, ""
    return False, _("Your role may not perform this action.")


def allowed_transitions(user, dossier, *, via=Path.ENDPOINT):
    """Transition names ``user`` may attempt on ``dossier`` from its current state through path ``via``."""
    names = []
    for name in TRANSITION_ROLES:
        if not _role_may(user, name) or via not in TRANSITION_PATHS[name]:
            continue
        meta = getattr(Dossier, name)._django_fsm
        if meta.get_transition(dossier.state) is not None:
            names.append(name)
    return names


def users_to_notify(dossier):
    """Recipients of news about ``dossier``: its applicant's users and its district's officers."""
    from accounts.models import User

    return User.objects.filter(
        Q(role=Role.APPLICANT, organisation_id=dossier.organisation_id)
        | Q(role=Role.DISTRICT, district_id=dossier.organisation.district_id),
        is_active=True,
    )


def pool_requests_for(user):
    from applications.models import PoolRequest

    qs = PoolRequest.objects.select_related("organisation__district", "requested_by")
    scoped = _by_organisation(qs, user, "organisation")
    return qs.none() if scoped is None else scoped


def may_edit_evaluation(user, dossier):
    """The applicant's own users edit its self-evaluation while it is pooled or returned."""
    return (
        user.role == Role.APPLICANT
        and user.organisation_id == dossier.organisation_id
        and dossier.state in EDITABLE_STATES
    )


def may_replace_barred_report(user, dossier):
    """第二十五条: the applicant replaces a report whose agency was barred after submission."""
    return (
        user.role == Role.APPLICANT
        and user.organisation_id == dossier.organisation_id
        and dossier.state in AFTER_RECOMMENDATION
        and dossier.agency is not None
        and dossier.agency.is_barred()
    )


def may_upload_report(user, dossier):
    """The commissioned agency uploads the report of its client's dossier while it is editable."""
    return (
        user.role == Role.AGENCY
        and user.agency_id is not None
        and user.agency_id == dossier.agency_id
        and dossier.state in EDITABLE_STATES
    )


def agency_quota(agency):
    """第二十四条: evaluations made this calendar year, the quota, and the agency's standing (第二十五条)."""
    from django.utils import timezone

    from applications.models.organisations import AGENCY_YEARLY_QUOTA

    year = timezone.localdate().year  # counted in the calendar year the evaluation is made
    return {
        "used": agency.evaluations_in_year(year),
        "quota": AGENCY_YEARLY_QUOTA,
        "year": year,
        "barred": agency.is_barred(),
        "barred_until": agency.barred_until,
        "bar_reason": agency.bar_reason,
    }


def district_officers(district_id):
    from accounts.models import User

    return User.objects.filter(role=Role.DISTRICT, district_id=district_id, is_active=True)


def city_staff():
    from accounts.models import User

    return User.objects.filter(role__in=[Role.MUNICIPAL, Role.STAFF], is_active=True)


def is_city(user):
    return user.is_authenticated and (user.is_superuser or user.role in (Role.MUNICIPAL, Role.STAFF))


def objections_for(user):
    """Objections, with the objector's identity, only for the deciding municipal staff (第十七条)."""
    from reviews.models import Objection

    return Objection.objects.select_related("dossier__organisation") if is_city(user) else Objection.objects.none()


def assignments_for(user):
    """An expert's own assignments without a declared conflict."""
    from reviews.models import ExpertAssignment

    if not user.is_authenticated or user.role != Role.EXPERT:
        return ExpertAssignment.objects.none()
    return ExpertAssignment.objects.filter(expert=user, conflict_declared=False).select_related(
        "dossier__organisation__district"
    )


def annual_reports_for(user):
    """Annual forms: the unit, its district and the city (not experts or agencies, whose work ends at review)."""
    from applications.models import AnnualReport

    qs = AnnualReport.objects.select_related("dossier__organisation__district")
    scoped = _by_organisation(qs, user, "dossier__organisation", district="dossier__district_id")
    return qs.none() if scoped is None else scoped


def rechecks_for(user):
    from registry.models import Recheck

    qs = Recheck.objects.select_related("dossier__organisation__district")
    # A join for the city and a district (an ``IN (every dossier of the district)`` list took 50 ms at scale).
    scoped = _by_organisation(qs, user, "dossier__organisation", district="dossier__district_id")
    return scoped if scoped is not None else qs.filter(dossier__in=dossiers_for(user))


def reports_for(user):
    """Real-name reports, with the reporter's identity: only the city staff who handle them (第二十五条)."""
    from registry.models import Report

    return (
        Report.objects.select_related("organisation", "agency", "assigned_to")
        if is_city(user)
        else Report.objects.none()
    )


def district_reports_for(user):
    """Reports about units of an officer's own district, which verifies them (第二十五条); never an agency's."""
    from registry.models import Report

    if not (user.is_authenticated and user.role == Role.DISTRICT and user.district_id):
        return Report.objects.none()
    return Report.objects.filter(district_id=user.district_id, organisation__isnull=False).select_related(
        "organisation__district"
    )


def reporter_visible(user, report):
    """The reporter's name and contact in clear (个人信息保护法): the city staff handling the report (the one it
    is assigned to, or any city staff while unassigned), and the verifying district once the city shared
    them. Other city staff see them masked."""
    if is_city(user):
        return report.assigned_to_id in (None, user.pk)
    return report.identity_shared and district_reports_for(user).filter(pk=report.pk).exists()


def objector_visible(user, objection=None):
    """The objector's name and phone in clear: the municipal staff who decide objections (第十七条)."""
    return is_city(user)


def issuing_organs_for(user):
    """Organs whose documents a user issues and whose registers they configure (issue 11): city staff the
    city bureau, a district officer their district's bureau."""
    from registry.models import IssuingOrgan

    if is_city(user):
        return IssuingOrgan.objects.filter(district__isnull=True)
    if user.is_authenticated and user.role == Role.DISTRICT and user.district_id:
        return IssuingOrgan.objects.filter(district_id=user.district_id)
    return IssuingOrgan.objects.none()


def may_issue(user, organ):
    return issuing_organs_for(user).filter(pk=organ.pk).exists()


def issued_documents_for(user):
    """Issued documents a user lists: the city every organ's; a district officer their bureau's and the
    city's letters about their district's dossiers (addressed to their bureau); an applicant the letters
    and notices about their own dossiers."""
    from registry.models import IssuedDocument

    qs = IssuedDocument.objects.select_related("organ", "issued_by", "corrects").defer("pdf", "corrects__pdf")
    if is_city(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.DISTRICT and user.district_id:
        district = user.district_id
        return qs.filter(Q(organ__district_id=district) | Q(dossier__district_id=district))
    if user.role == Role.APPLICANT:
        return qs.filter(dossier__in=dossiers_for(user))
    return qs.none()
