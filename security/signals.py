import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from security.sessions import LAST_ACTIVITY, SIGNED_IN_AT


@receiver(user_logged_in, dispatch_uid="security_stamp_session")
def stamp_session(sender, request, user, **kwargs):
    """The absolute session limit counts from here; the idle limit from the last request."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[SIGNED_IN_AT] = now
        session[LAST_ACTIVITY] = now
