import factory
from django.core.files.base import ContentFile

from accounts.models import Role, User
from applications.credit_code import example_code
from applications.models import (
    ELIGIBILITY_CRITERIA,
    Agency,
    District,
    EligibilityDeclaration,
    ExclusionCondition,
    ExclusionDeclaration,
    Kind,
    Organisation,
)

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def district(code):
    return District.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    credit_code = factory.Sequence(lambda n: example_code(5000 + n))
    name = factory.Sequence(lambda n: f"深圳市测试{n}号制造有限公司")
    district = factory.LazyFunction(lambda: district("nanshan"))


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"深圳市第{n}评价技术有限公司")
    credit_code = factory.Sequence(lambda n: example_code(8000 + n))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.APPLICANT
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def declare_eligible(organisation, kind=Kind.FACTORY):
    """Declare every Art. 9-11 criterion of ``kind`` met and every Art. 12 condition absent."""
    for criterion in ELIGIBILITY_CRITERIA[kind]:
        EligibilityDeclaration.objects.create(organisation=organisation, kind=kind, criterion=criterion, satisfied=True)
    for condition in ExclusionCondition:
        ExclusionDeclaration.objects.create(organisation=organisation, condition=condition, applies=False)


def attach_pdf(dossier):
    """Make the dossier ready to submit: a complete evaluation (all items met, evidence) and the signed report."""
    from applications import examples

    examples.fill(dossier, shared_evidence=True)
    dossier.report.save(f"report-{dossier.pk}.pdf", ContentFile(MINIMAL_PDF), save=False)
    dossier.report_attested = True
    dossier.save()
    return dossier
