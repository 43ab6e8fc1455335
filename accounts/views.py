from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping, services
from accounts.forms import AcceptInvitationForm, InvitationForm, SignupForm
from accounts.models import Role
from greenfactory.paging import paginate


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.register_applicant(form=form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome. Next: ask your district to add you to its cultivation pool."))
        return redirect("pool_request")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def invite(request, organisation_pk):
    """A colleague (applicant) or the organisation's district invites someone to its account."""
    organisation = get_object_or_404(scoping.organisations_for(request.user), pk=organisation_pk)
    if request.user.role not in (Role.APPLICANT, Role.DISTRICT):
        raise Http404
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invite(organisation=organisation, email=form.cleaned_data["email"], by=request.user, request=request)
        messages.success(request, _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("home")
    return render(request, "accounts/invite.html", {"form": form, "organisation": organisation})


def accept_invitation(request, token):
    invitation = services.usable_invitation(token)
    if invitation is None:
        raise Http404
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.accept_invitation(invitation, form=form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})


@login_required
def inbox(request):
    page = paginate(request, request.user.notifications.order_by("-created_at", "-pk"))
    return render(request, "accounts/inbox.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("inbox")


def switch_language(request, code):
    """Choose the interface language with a plain link (the language cookie, then back to ``next``).

    A link rather than Django's POST form: the form's CSRF token made every public page set a cookie, so no
    public page could be kept whole for anonymous visitors (``registry.page_cache``). Changing the display
    language is not a change worth a forged-request defence."""
    from django.conf import settings
    from django.utils.http import url_has_allowed_host_and_scheme

    if code not in {language for language, _name in settings.LANGUAGES}:
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
