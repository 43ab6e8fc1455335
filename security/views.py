from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from security import lockouts, two_factor

NEW_CODES = "security_new_recovery_codes"


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): 429 with when to retry."""
    from axes.helpers import get_client_username, get_cool_off

    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "retry_at": timezone.localtime(timezone.now() + cool_off) if cool_off else None,
        "contact": getattr(settings, "SECURITY_CONTACT", ""),
    }
    return render(request, "security/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse("home")


def _with_next(name, request):
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


@never_cache
@login_required
def verify(request):
    """The code at each login: from the authenticator app, or one of the recovery codes."""
    if two_factor.confirmed_totp(request.user) is None:
        return redirect(_with_next("two_factor_setup", request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip().replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            if device.persistent_id.startswith("otp_static"):
                messages.warning(
                    request,
                    _("You used a recovery code; %(count)d remain. Each code works once.")
                    % {"count": two_factor.remaining_recovery_codes(request.user)},
                )
            return redirect(_next_url(request))
        form.add_error("token", _("The code is wrong, expired or already used. Wait for a new code and try again."))
    return render(request, "security/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def setup(request):
    """Enrolment on first login: scan the QR code (or type the secret), then confirm with a code."""
    if two_factor.confirmed_totp(request.user) is not None:
        # Enrolled already: a new device only after the security administrator's reset.
        return redirect(_next_url(request) if request.user.is_verified() else _with_next("two_factor", request))
    device = two_factor.pending_totp(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(device, form.cleaned_data["token"])
        if codes is not None:
            otp_login(request, device)
            request.session[NEW_CODES] = codes
            return redirect(_with_next("two_factor_recovery_codes", request))
        form.add_error("token", _("The code does not match. Check the time on your phone and enter the current code."))
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
        "next": _next_url(request),
    }
    return render(request, "security/two_factor_setup.html", context)


@never_cache
@login_required
def recovery_codes(request):
    """The recovery codes, shown once right after they are made."""
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect(_next_url(request))
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


def _security_admin(user):
    return user.is_authenticated and (user.is_superuser or str(user.role) == "secadmin")


def security_admin_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not _security_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@never_cache
@security_admin_required
def locks(request):
    """The security administrator's screen: locked accounts and addresses; resetting a second factor."""
    query = request.GET.get("q", "").strip()
    users = []
    if query:
        users = (
            get_user_model()
            .objects.filter(username__icontains=query)
            .order_by("username")
            .prefetch_related("totpdevice_set", "staticdevice_set")[:50]
        )
    context = {
        "accounts": lockouts.locked_accounts(),
        "addresses": lockouts.locked_addresses(),
        "query": query,
        "users": [(u, any(d.confirmed for d in u.totpdevice_set.all()), u.staticdevice_set.exists()) for u in users],
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "security/locks.html", context)


@require_POST
@security_admin_required
def unlock(request):
    username = request.POST.get("username", "")
    address = request.POST.get("ip_address", "")
    if username:
        lockouts.unlock_account(username)
        messages.success(request, _("Account %(name)s unlocked.") % {"name": username})
    if address:
        lockouts.unlock_address(address)
        messages.success(request, _("Address %(address)s unlocked.") % {"address": address})
    return redirect("security_locks")


@require_POST
@security_admin_required
def reset_second_factor(request, pk):
    user = get_object_or_404(get_user_model(), pk=pk)
    two_factor.reset_two_factor(user)
    messages.success(
        request,
        _("The second factor of %(name)s was reset; they will enrol again at their next login.")
        % {"name": user.username},
    )
    return redirect(f"{reverse('security_locks')}?{urlencode({'q': user.username})}")
