"""The request being served, for audit rows written by signals far from the view (admin saves, user saves)."""

import contextvars

current_request = contextvars.ContextVar("audit_current_request", default=None)
