"""Issuing official documents: 文号 registers and issued documents as records.

A 文号 is taken from the organ's register for the document type and year under the register row's lock,
inside the transaction that renders, signs and stores the document: a rollback gives the number back, so
numbers are never skipped or used twice (IssuedDocument.document_number is unique as a last guard).
An issued document's bytes never change; a correction is a new document that names the old one.
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenfactory import signing
from registry import notices
from registry.models import DocumentRegister, DocumentType, IssuedDocument, IssuingOrgan

CITY = "city"

# Each type has its own prefix so that two registers of one organ and year never format the same 文号.
CITY_PREFIXES = {
    DocumentType.PUBLICITY_NOTICE: "深工信公示",
    DocumentType.LIST_ANNOUNCEMENT: "深工信公告",
    DocumentType.REMOVAL_NOTICE: "深工信移",
    DocumentType.CONFORMITY_LETTER: "深工信函",
    DocumentType.RECHECK_LETTER: "深工信核函",
}
DISTRICT_SUFFIXES = {
    DocumentType.RECOMMENDATION_LETTER: "工信函",
    DocumentType.RECHECK_LETTER: "工信核函",
    DocumentType.CONFORMITY_LETTER: "工信审函",
    DocumentType.PUBLICITY_NOTICE: "工信公示",
    DocumentType.LIST_ANNOUNCEMENT: "工信公告",
    DocumentType.REMOVAL_NOTICE: "工信移",
}


class IssueRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def short_name(district):
    """南山区 → 南山, 大鹏新区 → 大鹏: the district's part of a 文号 prefix."""
    name = district.name
    for ending in ("新区", "区"):
        if name.endswith(ending) and len(name) > len(ending):
            return name[: -len(ending)]
    return name


def default_prefix(organ, document_type):
    if organ.district_id is None:
        return CITY_PREFIXES.get(document_type, "深工信")
    return short_name(organ.district) + DISTRICT_SUFFIXES.get(document_type, "工信")


def register_for(organ, document_type, year):
    register, _created = DocumentRegister.objects.get_or_create(
        organ=organ,
        document_type=document_type,
        year=year,
        defaults={"prefix": default_prefix(organ, document_type)},
    )
    return register


def city_organ():
    return IssuingOrgan.objects.get(code=CITY)


def organ_of_district(district):
    return IssuingOrgan.objects.get(district=district)


def year_of(now=None):
    return timezone.localdate(now or timezone.now()).year


def draft_number(register):
    return f"{register.prefix}〔{register.year}〕{notices.DRAFT_MARK}号"


def _sign(pdf, organ):
    """PAdES signature by the organ's certificate; an organ without a key and certificate issues unsigned
    documents (recorded as such) rather than none."""
    if not signing.can_sign(organ):
        return pdf, False, ""
    return signing.sign_pdf(pdf, organ), True, organ.name


def subject_key(subject):
    return subject._meta.label_lower, subject.pk


def issue(document_type, organ, subject, *, title, render, by, now=None, corrects=None, dossier=None):
    """Take the next 文号, render the PDF with it and dated the day of issue, sign and store it; one
    transaction."""
    now = now or timezone.now()
    subject_type, subject_id = subject_key(subject)
    if corrects is not None and (corrects.subject_type, corrects.subject_id) != (subject_type, subject_id):
        raise IssueRefused(_("A correction must concern the same subject as the document it corrects."))
    with transaction.atomic():
        register = register_for(organ, document_type, year_of(now))
        register = DocumentRegister.objects.select_for_update().get(pk=register.pk)
        number = register.next_number
        document_number = register.format(number)
        pdf, signed, signer = _sign(render(document_number, timezone.localdate(now)), organ)
        document = IssuedDocument.objects.create(
            register=register,
            number=number,
            document_number=document_number,
            document_type=document_type,
            organ=organ,
            title=title,
            subject_type=subject_type,
            subject_id=subject_id,
            dossier=dossier,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            signed=signed,
            signer=signer,
            corrects=corrects,
            issued_by=by,
            issued_at=now,
        )
        register.next_number = number + 1
        register.save(update_fields=["next_number"])
    return document


def preview(document_type, organ, subject, *, render, now=None):
    """The same rendering with a 文号 marked 〔草稿〕 and a 草稿 watermark; nothing is stored or taken."""
    prefix = (
        DocumentRegister.objects.filter(organ=organ, document_type=document_type, year=year_of(now))
        .values_list("prefix", flat=True)
        .first()
    ) or default_prefix(organ, document_type)
    return render(draft_number(DocumentRegister(prefix=prefix, year=year_of(now))), timezone.localdate(now))


# The documents the portal issues: how each is rendered, titled and who issues it.


@dataclass(frozen=True)
class Kind:
    document_type: str
    public: bool

    def organ(self, subject):
        if self.document_type == DocumentType.RECOMMENDATION_LETTER:
            return organ_of_district(subject.district)
        return city_organ()

    def dossier(self, subject):
        """The dossier the document concerns (a letter or a removal), else None (a batch or a list)."""
        return getattr(subject, "dossier", None) if self.document_type in ABOUT_ONE_DOSSIER else None

    def refusal(self, subject):
        """Why the document cannot be issued yet, or None."""
        if self.document_type == DocumentType.RECHECK_LETTER and not subject.decided_at:
            return _("The city has not decided this recheck yet (Art. 21); the letter states the decision.")
        return None

    def title(self, subject):
        if self.document_type == DocumentType.PUBLICITY_NOTICE:
            return f"关于{subject.title}的公示"
        if self.document_type == DocumentType.LIST_ANNOUNCEMENT:
            return subject.title
        if self.document_type == DocumentType.RECOMMENDATION_LETTER:
            return f"关于推荐{subject.cycle_year}年度绿色制造名单的函"
        name = subject.dossier.organisation.name
        if self.document_type == DocumentType.CONFORMITY_LETTER:
            return f"关于{name}{subject.dossier.cycle_year}年度绿色制造申报材料符合性审核结果的函"
        if self.document_type == DocumentType.RECHECK_LETTER:
            return f"关于{name}绿色制造名单复核结果的函"
        return f"关于移出深圳市绿色制造名单单位的公告（{name}）"

    def renderer(self, subject, corrects=None):
        def render(document_number, dated=None):
            options = {"document_number": document_number, "corrects": corrects, "dated": dated}
            if self.document_type == DocumentType.PUBLICITY_NOTICE:
                return notices.publicity_notice(subject, **options)
            if self.document_type == DocumentType.LIST_ANNOUNCEMENT:
                return notices.list_announcement(subject, **options)
            if self.document_type == DocumentType.RECOMMENDATION_LETTER:
                return notices.recommendation_letter(subject, **options)
            if self.document_type == DocumentType.CONFORMITY_LETTER:
                return notices.conformity_letter(subject, **options)
            if self.document_type == DocumentType.RECHECK_LETTER:
                return notices.recheck_letter(subject, **options)
            return notices.removal_notice([subject.dossier], decided_on=subject.decided_on, **options)

        return render


ABOUT_ONE_DOSSIER = {DocumentType.REMOVAL_NOTICE, DocumentType.CONFORMITY_LETTER, DocumentType.RECHECK_LETTER}

KINDS = {
    DocumentType.PUBLICITY_NOTICE: Kind(DocumentType.PUBLICITY_NOTICE, public=True),
    DocumentType.LIST_ANNOUNCEMENT: Kind(DocumentType.LIST_ANNOUNCEMENT, public=True),
    DocumentType.RECOMMENDATION_LETTER: Kind(DocumentType.RECOMMENDATION_LETTER, public=False),
    DocumentType.REMOVAL_NOTICE: Kind(DocumentType.REMOVAL_NOTICE, public=True),
    # Letters from the city to the recommending district bureau about one dossier (第十六条, 第二十一条).
    DocumentType.CONFORMITY_LETTER: Kind(DocumentType.CONFORMITY_LETTER, public=False),
    DocumentType.RECHECK_LETTER: Kind(DocumentType.RECHECK_LETTER, public=False),
}


def current(document_type, subject, *, with_pdf=True):
    """The document in force for a subject: the newest issued (a correction supersedes the corrected)."""
    subject_type, subject_id = subject_key(subject)
    qs = IssuedDocument.objects.filter(document_type=document_type, subject_type=subject_type, subject_id=subject_id)
    if not with_pdf:
        qs = qs.defer("pdf", "corrects__pdf")
    return qs.select_related("organ", "corrects").order_by("-issued_at", "-pk").first()


def issued_numbers(document_type, subjects):
    """{subject pk: 文号 in force} for the subjects of one type that have an issued document: one query,
    without the bytes (a correction, issued later, replaces the number it corrects)."""
    subjects = list(subjects)
    if not subjects:
        return {}
    subject_type = subjects[0]._meta.label_lower
    rows = (
        IssuedDocument.objects.filter(
            document_type=document_type, subject_type=subject_type, subject_id__in=[s.pk for s in subjects]
        )
        .order_by("issued_at", "pk")
        .values_list("subject_id", "document_number")
    )
    return dict(rows)


def issue_for(document_type, subject, *, by, now=None, correct=False):
    """Issue the document of this type for a subject (a correction of the one in force when `correct`)."""
    kind = KINDS[document_type]
    existing = current(document_type, subject)
    if existing is not None and not correct:
        raise IssueRefused(
            _("%(number)s was already issued for this; issue a correction instead.")
            % {"number": existing.document_number}
        )
    if correct and existing is None:
        raise IssueRefused(_("Nothing has been issued yet, so there is nothing to correct."))
    refusal = kind.refusal(subject)
    if refusal:
        raise IssueRefused(refusal)
    document = issue(
        document_type,
        kind.organ(subject),
        subject,
        title=kind.title(subject),
        render=kind.renderer(subject, corrects=existing if correct else None),
        by=by,
        now=now,
        corrects=existing if correct else None,
        dossier=kind.dossier(subject),
    )
    if document_type in LETTERS_TO_THE_DISTRICT:
        _tell_the_district(document)
    return document


LETTERS_TO_THE_DISTRICT = {DocumentType.CONFORMITY_LETTER, DocumentType.RECHECK_LETTER}


def _tell_the_district(document):
    """The addressee's officers find the letter in their inbox (and by email, as every notification)."""
    from django.urls import reverse

    from accounts import scoping
    from accounts.notifications import notify

    officers = list(scoping.district_officers(document.dossier.organisation.district_id))
    title = f"{document.document_number} {document.title}"
    url = reverse("issued_document_pdf", args=[document.pk])
    transaction.on_commit(lambda: notify(officers, title=title, url=url))


def preview_for(document_type, subject, *, now=None):
    kind = KINDS[document_type]
    return preview(document_type, kind.organ(subject), subject, render=kind.renderer(subject), now=now)


def set_prefix(register, prefix, *, by):
    """Staff set a register's prefix; a prefix another register of the same year uses is refused, since
    the two would format the same 文号."""
    prefix = prefix.strip()
    if not prefix or any(c in prefix for c in "〔〕[]"):
        raise IssueRefused(_("Enter a prefix such as 深工信函, without the year or brackets."))
    with transaction.atomic():
        register = DocumentRegister.objects.select_for_update().get(pk=register.pk)
        clash = DocumentRegister.objects.filter(year=register.year, prefix=prefix).exclude(pk=register.pk)
        if clash.exists():
            raise IssueRefused(_("Another register of %(year)d already uses this prefix.") % {"year": register.year})
        register.prefix = prefix
        register._change_reason = f"prefix set by {by}"
        register.save(update_fields=["prefix"])
    return register
