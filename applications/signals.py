"""News of a transition travels from the transition log, not from the service that made it.

The service writes the log row; this receiver schedules the notifications once the transaction
commits, so ``accounts.notifications`` never has to be imported by the core of the state machine.
A row written with ``services.transition(..., notify=False)`` (a sweep that sends one digest per district
instead) is recorded like any other and notifies nobody here.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from applications.models import TransitionLog


@receiver(post_save, sender=TransitionLog, dispatch_uid="notify_on_transition")
def notify_on_transition(sender, instance, created, raw=False, **kwargs):
    if created and not raw and getattr(instance, "notify", True):
        from accounts.notifications import notify_transition

        transaction.on_commit(lambda: notify_transition(instance.pk))
