"""Published lists and national recommendations (第十七条, 第十八条)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models.append_only import AppendOnlyModel
from applications.models.dossiers import RemovalGround
from greenfactory.choices import ChoiceLabels


class PublishedList(AppendOnlyModel):
    """A municipal list published after publicity (第十七条); its dossiers hold their ranks."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    publicity_batch = models.OneToOneField(
        "reviews.PublicityBatch", on_delete=models.PROTECT, related_name="published_list"
    )
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    # What was published, as published: [{rank, name, district, kind_label}]. Later removals and renames
    # change the live list, never the announcement of record.
    entries = models.JSONField(_("entries as published"), default=list)
    history = HistoricalRecords()

    # ``entries`` is written once, in publish_list's transaction, right after the ranks are given.
    append_only_set_once = ("entries",)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("published list")
        verbose_name_plural = _("published lists")

    def __str__(self):
        return self.title


class NationalRecommendation(AppendOnlyModel):
    """第十七条: a unit the city recommends to MIIT (a record with its year, not a state change)."""

    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.PROTECT, related_name="national_recommendations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommended_at = models.DateTimeField(_("recommended at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "dossier"]
        verbose_name = _("recommendation to MIIT")
        verbose_name_plural = _("recommendations to MIIT")
        constraints = [models.UniqueConstraint(fields=["dossier", "year"], name="one_national_recommendation_per_year")]

    def __str__(self):
        return f"{self.dossier} → MIIT {self.year}"


class Recheck(ChoiceLabels, models.Model):
    """第二十一条 (三年一复核): the district's findings and proposal; the city's decision."""

    class Proposal(models.TextChoices):
        KEEP = "keep", _("Keep on the list")
        RECTIFY = "rectify", _("Keep, with rectification")
        REMOVE = "remove", _("Remove from the list")

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT, related_name="rechecks")
    year = models.PositiveSmallIntegerField(_("year"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    findings = models.TextField(_("findings"), blank=True)
    evidence = models.FileField(_("evidence (PDF)"), upload_to="rechecks/%Y/", blank=True)
    proposal = models.CharField(_("district's proposal"), max_length=10, choices=Proposal.choices, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decision = models.CharField(_("city's decision"), max_length=10, choices=Proposal.choices, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            # The decided list, newest first (issue 13): walked in order, a district's first page stops after its
            # 50 rows instead of joining every decided recheck of the district.
            models.Index(
                fields=["-decided_at", "-id"],
                name="recheck_decided_order",
                condition=models.Q(decided_at__isnull=False),
            ),
        ]
        verbose_name = _("recheck")
        verbose_name_plural = _("rechecks")

    def __str__(self):
        return f"{self.dossier} · {self.year}"


class Removal(ChoiceLabels, AppendOnlyModel):
    """A removal decision and its public notice (第二十一条, 第二十二条, 第二十五条)."""

    dossier = models.OneToOneField("applications.Dossier", on_delete=models.PROTECT, related_name="removal")
    ground = models.CharField(_("ground"), max_length=32, choices=RemovalGround.choices)
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_to_miit = models.BooleanField(_("reported to MIIT"), default=False)
    history = HistoricalRecords()

    # The decision is kept as written; staff may record later that it was reported to MIIT (第二十五条).
    append_only_mutable = ("reported_to_miit",)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("removal")
        verbose_name_plural = _("removals")

    def __str__(self):
        return f"{self.dossier} · {self.decided_on}"


class Report(models.Model):
    """A real-name report (实名举报) against a listed unit or an agency (第二十五条).

    A report about a unit goes to the unit's district, which verifies it and proposes an outcome; the city
    decides. Reports about an agency stay with the city. The reporter's identity is visible to the city
    staff, and to the district only once the city has shared it.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        VERIFYING = "verifying", _("Being verified")
        DECIDED = "decided", _("Decided")

    class Proposal(models.TextChoices):
        UNFOUNDED = "unfounded", _("Unfounded")
        RECTIFY = "rectify", _("Order rectification")
        REMOVE = "remove", _("Remove from the list")

    class Decision(models.TextChoices):
        UNFOUNDED = "unfounded", _("Unfounded")
        RECTIFY = "rectify", _("Rectification ordered")
        REMOVE = "remove", _("Unit removed from the list")
        BAR_AGENCY = "bar_agency", _("Agency barred for 3 years and reported to MIIT")

    organisation = models.ForeignKey(
        "applications.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    agency = models.ForeignKey(
        "applications.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    reporter_name = models.CharField(_("reporter's real name"), max_length=100)
    reporter_contact = models.CharField(_("reporter's contact"), max_length=100)
    content = models.TextField(_("content"))
    evidence = models.FileField(_("evidence (PDF)"), upload_to="reports/%Y/", blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verification = models.TextField(_("verification notes"), blank=True)
    # 第二十五条: the district of the unit concerned verifies and proposes (none for a report about an agency).
    district = models.ForeignKey(
        "applications.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district verifying"),
    )
    identity_shared = models.BooleanField(_("reporter's identity shared with the district"), default=False)
    identity_shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    identity_shared_at = models.DateTimeField(_("identity shared at"), null=True, blank=True)
    district_findings = models.TextField(_("district's verification findings"), blank=True)
    district_proposal = models.CharField(_("district's proposal"), max_length=10, choices=Proposal.choices, blank=True)
    district_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district_proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reported_to_miit = models.BooleanField(_("reported to MIIT"), default=False)
    # What the reporter reads when following the report with the receipt (受理编号) and access code.
    decision_note = models.TextField(_("decision and reasons"), blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=20, unique=True, null=True, blank=True)
    access_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    reporter_email = models.EmailField(_("email for the receipt"), blank=True)
    history = HistoricalRecords(excluded_fields=["access_code_hash"])

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("real-name report")
        verbose_name_plural = _("real-name reports")

    def __str__(self):
        return f"{self.organisation or self.agency} · {self.received_at:%Y-%m-%d}"


class NationalImport(models.Model):
    """One upload of MIIT's national list (第十八条)."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=16)
    filename = models.CharField(_("file"), max_length=200)
    digest = models.CharField(_("SHA-256 of the file"), max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    closed_at = models.DateTimeField(_("national round closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("national list import")
        verbose_name_plural = _("national list imports")

    def __str__(self):
        return f"{self.year} · {self.kind} · {self.filename}"


class NationalListing(models.Model):
    """A unit on MIIT's national list: national level, and on the municipal list too (第十八条)."""

    class Grade(models.TextChoices):
        A_PLUS = "A+", "A+"
        A = "A", "A"
        B = "B", "B"

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=16)
    organisation = models.ForeignKey(
        "applications.Organisation", on_delete=models.PROTECT, related_name="national_listings"
    )
    name_in_list = models.CharField(_("name in the national list"), max_length=200)
    region = models.CharField(_("region in the national list"), max_length=50, blank=True)
    green_code_grade = models.CharField(
        _("enterprise green code grade"), max_length=2, choices=Grade.choices, blank=True
    )
    green_code_year = models.PositiveSmallIntegerField(_("green code year"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "organisation__name"]
        verbose_name = _("national listing")
        verbose_name_plural = _("national listings")
        constraints = [models.UniqueConstraint(fields=["year", "kind", "organisation"], name="one_national_listing")]

    def __str__(self):
        return f"{self.organisation} · {self.year}"


class UnmatchedNationalRow(models.Model):
    """A row of a national list that matched no organisation: kept for manual matching, never dropped."""

    national_import = models.ForeignKey(NationalImport, on_delete=models.PROTECT, related_name="unmatched")
    row_number = models.PositiveIntegerField(_("row"))
    region = models.CharField(_("region"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("credit code"), max_length=30, blank=True)
    matched_to = models.ForeignKey(
        "applications.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["national_import", "row_number"]
        verbose_name = _("unmatched national-list row")
        verbose_name_plural = _("unmatched national-list rows")

    def __str__(self):
        return f"{self.row_number}: {self.name}"


class DocumentType(models.TextChoices):
    """The documents a bureau issues through the portal; each has its own number register per organ and year."""

    PUBLICITY_NOTICE = "publicity", _("Publicity notice (公示通知, Art. 17)")
    LIST_ANNOUNCEMENT = "list", _("List announcement (名单公告, Art. 17)")
    RECOMMENDATION_LETTER = "recommendation", _("District recommendation letter (推荐函, Art. 15)")
    REMOVAL_NOTICE = "removal", _("Removal announcement (移出名单公告, Art. 21, 22, 25)")
    CONFORMITY_LETTER = "conformity", _("Conformity check letter (Art. 16)")
    RECHECK_LETTER = "recheck", _("Recheck letter (Art. 21)")


class IssuingOrgan(models.Model):
    """An organ that issues documents: the city bureau, or a district bureau (第五条)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    district = models.OneToOneField(
        "applications.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issuing_organ",
        help_text=_("Empty for the city bureau."),
    )
    contact = models.CharField(
        _("contact for documents"), max_length=200, blank=True, help_text=_("附注: contact person and telephone.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["district__sort_order", "code"]
        verbose_name = _("issuing organ")
        verbose_name_plural = _("issuing organs")

    def __str__(self):
        return self.name


class DocumentRegister(models.Model):
    """文号 register of one organ, document type and year. Numbers are taken under this row's lock in the
    issuing transaction: a rollback gives the number back, so none is skipped and none is used twice."""

    organ = models.ForeignKey(IssuingOrgan, on_delete=models.PROTECT, related_name="registers")
    document_type = models.CharField(_("document type"), max_length=16, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    prefix = models.CharField(_("prefix"), max_length=30, help_text=_("e.g. 深工信函"))
    next_number = models.PositiveIntegerField(_("next number"), default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organ", "document_type", "-year"]
        verbose_name = _("document number register")
        verbose_name_plural = _("document number registers")
        constraints = [
            models.UniqueConstraint(fields=["organ", "document_type", "year"], name="one_register_per_organ_type_year")
        ]

    def __str__(self):
        return f"{self.organ} · {self.get_document_type_display()} · {self.year}"

    def format(self, number):
        return f"{self.prefix}〔{self.year}〕{number}号"


class IssuedDocument(AppendOnlyModel):
    """An issued document is a record: its PDF bytes, their SHA-256, its 文号, issuer and time never change.
    A correction is a new document that names the one it corrects."""

    register = models.ForeignKey(DocumentRegister, on_delete=models.PROTECT, related_name="documents")
    number = models.PositiveIntegerField(_("number"))
    document_number = models.CharField(_("document number (文号)"), max_length=60, unique=True)
    document_type = models.CharField(_("document type"), max_length=16, choices=DocumentType.choices)
    organ = models.ForeignKey(IssuingOrgan, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    # What the document is about, e.g. ("reviews.publicitybatch", 12).
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.PositiveIntegerField(_("subject id"))
    # The dossier a letter or notice concerns, when it concerns one: a district officer and the applicant
    # see the letters about their dossiers (accounts.scoping.issued_documents_for).
    dossier = models.ForeignKey(
        "applications.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
        verbose_name=_("dossier"),
    )
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    signed = models.BooleanField(_("digitally signed"), default=False)
    signer = models.CharField(_("signer"), max_length=300, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name=_("corrects")
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        constraints = [models.UniqueConstraint(fields=["register", "number"], name="one_document_per_number")]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.document_number} {self.title}"
