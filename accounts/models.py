from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The portal's roles (DOMAIN.md, "Who uses the portal")."""

    APPLICANT = "applicant", _("Applicant (enterprise / park)")
    AGENCY = "agency", _("Third-party evaluation agency")
    DISTRICT = "district", _("District officer")
    MUNICIPAL = "municipal", _("Municipal reviewer")
    EXPERT = "expert", _("Review expert")
    STAFF = "staff", _("Municipal staff")
    # 三员分立 (GB/T 22239-2019 8.1.4.2): three administrators, none of whom sees business data.
    SYSADMIN = "sysadmin", _("System administrator")
    SECADMIN = "secadmin", _("Security administrator")
    AUDITADMIN = "auditadmin", _("Audit administrator")


# The three administrators of 三员分立; one account holds one role, and none is a superuser or Django staff.
ADMIN_ROLES = (Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    # Exactly one of these is set, according to the role.
    organisation = models.ForeignKey(
        "applications.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    agency = models.ForeignKey(
        "applications.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    district = models.ForeignKey(
        "applications.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class EmailPreference(models.TextChoices):
        """How notifications reach the user by email; the inbox always has them."""

        IMMEDIATE = "immediate", _("An email for each notification")
        DIGEST = "digest", _("One email a day with the day's notifications")
        NONE = "none", _("No email (inbox only)")

    email_preference = models.CharField(
        _("notification emails"),
        max_length=10,
        choices=EmailPreference.choices,
        default=EmailPreference.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=[r.value for r in ADMIN_ROLES])
                | models.Q(is_superuser=False, is_staff=False),
                name="administrator_roles_are_not_superuser_or_staff",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        """Chinese names read family name first, without a space (陈审核, not 审核 陈)."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return super().get_full_name()

    @property
    def sees_all_districts(self):
        return self.is_superuser or self.role in (Role.MUNICIPAL, Role.STAFF)

    def clean(self):
        from django.core.exceptions import ValidationError

        required = {
            Role.APPLICANT: "organisation",
            Role.AGENCY: "agency",
            Role.DISTRICT: "district",
        }.get(self.role)
        if required and getattr(self, f"{required}_id") is None:
            raise ValidationError({required: _("This role requires this field.")})
        if self.role in ADMIN_ROLES and (self.is_superuser or self.is_staff):
            raise ValidationError(self.SEPARATION_OF_DUTIES)

    SEPARATION_OF_DUTIES = _(
        "An administrator account (system, security or audit) holds that one role only: it cannot be a "
        "superuser or Django staff (separation of duties, GB/T 22239-2019)."
    )

    def save(self, *args, **kwargs):
        # Every path (screens, admin, shell): the database constraint says the same on PostgreSQL and SQLite.
        if self.role in ADMIN_ROLES and (self.is_superuser or self.is_staff):
            from django.core.exceptions import ValidationError

            raise ValidationError(self.SEPARATION_OF_DUTIES)
        super().save(*args, **kwargs)


class Notification(models.Model):
    """An in-app message in a user's inbox; created by ``accounts.notifications.notify``."""

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The dossier the news is about (inbox filter "by dossier"), and whether the recipient's role must act on it
    # (``accounts.notifications.NEEDS_ACTION``); everything else is news.
    dossier = models.ForeignKey(
        "applications.Dossier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dossier"),
    )
    needs_action = models.BooleanField(_("needs action"), default=False)

    # The daily digest (``User.email_preference`` = digest): PENDING until the digest task mails it, then SENT;
    # empty for notifications mailed at once or not mailed. A second digest run finds nothing pending.
    class Digest(models.TextChoices):
        NONE = "", _("not in a digest")
        PENDING = "pending", _("waiting for the daily digest")
        SENT = "sent", _("sent in a daily digest")

    digest = models.CharField(_("daily digest"), max_length=8, choices=Digest.choices, blank=True, default="")
    digested_at = models.DateTimeField(_("sent in a digest at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="inbox_recent"),
            models.Index(fields=["digest", "recipient"], name="inbox_digest_pending"),
        ]

    def __str__(self):
        return self.title


class Invitation(models.Model):
    """An invitation to join an organisation's account, sent by its district or a colleague."""

    organisation = models.ForeignKey(
        "applications.Organisation",
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_by = models.OneToOneField(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.organisation}"


class SentReminder(models.Model):
    """A reminder already sent, by key (e.g. "recommendation-2027-14d-nanshan"): sweeps never send it twice."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self):
        return self.key


class OutboundEmailQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("outbound emails are kept: mark them, never delete them")


class OutboundEmail(models.Model):
    """One email waiting for, or past, delivery (the outbox, issue 14; ``accounts.outbox`` sends it).

    Written in the transaction that makes the inbox notification; a Celery task sends it afterwards, so no
    request ever waits on the mail server. Rows are never deleted: a sent row keeps its recipients, subject
    and times (its body is blanked once sent: a receipt's access code is stored nowhere else in clear), a
    failed row keeps everything for the system administrator to look into.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed permanently")

    recipients = models.JSONField(_("recipients"), default=list)
    from_email = models.CharField(_("sender"), max_length=254)
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Due time of the next attempt; while a worker holds the row it is pushed ahead by the lease.
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return self.subject[:80]

    def delete(self, *args, **kwargs):
        raise PermissionError("outbound emails are kept: mark them, never delete them")
