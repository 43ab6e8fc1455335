"""Session limits (GB/T 22239-2019 8.1.4.1 b, 登录连接超时自动退出): idle and absolute."""

import time

from django.conf import settings

SIGNED_IN_AT = "security_signed_in_at"
LAST_ACTIVITY = "security_last_activity"
# The activity stamp is renewed at most this often: stamping every request made every page write and commit
# its session row (issue 13: ~20 ms a page under load). The idle limit allows for it, so a session never ends
# early; it may last up to this much longer than the limit.
ACTIVITY_STAMP_SECONDS = 30


def idle_limit_seconds():
    minutes = getattr(settings, "SESSION_IDLE_TIMEOUT_MINUTES", None)
    return minutes * 60 if minutes else None


def absolute_limit_seconds():
    hours = getattr(settings, "SESSION_ABSOLUTE_TIMEOUT_HOURS", None)
    return hours * 3600 if hours else None


def expired(session, now=None):
    """``"idle"`` or ``"absolute"`` when the session has run out, else None; stamps the activity otherwise."""
    now = int(time.time() if now is None else now)
    idle, absolute = idle_limit_seconds(), absolute_limit_seconds()
    if not idle and not absolute:
        return None
    signed_in = session.setdefault(SIGNED_IN_AT, now)
    last = session.get(LAST_ACTIVITY, now)
    if absolute and now - signed_in > absolute:
        return "absolute"
    if idle and now - last > idle + ACTIVITY_STAMP_SECONDS:
        return "idle"
    if LAST_ACTIVITY not in session or now - last >= ACTIVITY_STAMP_SECONDS:
        session[LAST_ACTIVITY] = now
    return None
