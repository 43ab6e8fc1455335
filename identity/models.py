"""Accounts signed in through the province's unified identity platform (广东省统一身份认证平台)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.credit_code import CreditCodeField


class LinkedIdentity(models.Model):
    """A portal user linked to one subject (``sub``) of one OpenID provider (``iss``).

    OpenID Connect promises that ``sub`` is unique and never reassigned within its issuer only, so the
    pair is the key. The credit code is the last one the provider vouched for, kept for the record.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="linked_identity",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    credit_code = CreditCodeField(_("unified social credit code"))
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last unified login"), null=True, blank=True)

    class Meta:
        verbose_name = _("linked unified identity")
        verbose_name_plural = _("linked unified identities")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="identity_issuer_subject_unique")]

    def __str__(self):
        return f"{self.subject} @ {self.issuer}"
