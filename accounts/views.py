from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping, services
from accounts import todo as todo_lists
from accounts.forms import AcceptInvitationForm, InvitationForm, SignupForm
from accounts.models import Role, User
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


INBOX_FILTERS = ("all", "unread", "action", "news")
INBOX_DOSSIER_CHOICES = 100  # the dossiers offered in the filter: those of the latest notifications


class EmailPreferenceForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_preference"]
        widgets = {"email_preference": forms.RadioSelect}


@login_required
def inbox(request):
    """The inbox: all, unread, needs action or news, optionally about one dossier; paginated, filters kept."""
    notes = request.user.notifications.all()
    dossier_pk = request.GET.get("dossier", "")
    dossier_pk = int(dossier_pk) if dossier_pk.isdigit() else None
    if dossier_pk:
        notes = notes.filter(dossier_id=dossier_pk)
    counts = notes.aggregate(
        all=Count("pk"),
        unread=Count("pk", filter=Q(read_at__isnull=True)),
        action=Count("pk", filter=Q(needs_action=True)),
        news=Count("pk", filter=Q(needs_action=False)),
    )
    shown = request.GET.get("show", "all")
    shown = shown if shown in INBOX_FILTERS else "all"
    chosen = {
        "all": notes,
        "unread": notes.filter(read_at__isnull=True),
        "action": notes.filter(needs_action=True),
        "news": notes.filter(needs_action=False),
    }[shown]
    page = paginate(request, chosen.order_by("-created_at", "-pk"))
    labels = {"all": _("All"), "unread": _("Unread"), "action": _("Needs action"), "news": _("News")}
    tabs = []
    for key in INBOX_FILTERS:
        query = request.GET.copy()
        query.pop("page", None)
        query["show"] = key
        tabs.append({"key": key, "label": labels[key], "count": counts[key], "query": query.urlencode()})
    # The dossiers the user's notifications are about (newest first), for the "by dossier" filter.
    about = (
        request.user.notifications.filter(dossier__isnull=False)
        .values("dossier_id", "dossier__organisation__name", "dossier__cycle_year", "dossier__kind")
        .annotate(n=Count("pk"), latest=Max("created_at"))
        .order_by("-latest")[:INBOX_DOSSIER_CHOICES]
    )
    return render(
        request,
        "accounts/inbox.html",
        {
            "page": page,
            "tabs": tabs,
            "shown": shown,
            "dossier_pk": dossier_pk,
            "dossiers": list(about),
        },
    )


@login_required
def open_notification(request, pk):
    """Follow a notification's link, marking it read (only links inside the portal)."""
    note = get_object_or_404(request.user.notifications, pk=pk)
    if note.read_at is None:
        request.user.notifications.filter(pk=note.pk).update(read_at=timezone.now())
        todo_lists.forget([request.user.pk])
    target = note.url if note.url.startswith("/") and not note.url.startswith("//") else ""
    return redirect(target or "inbox")


@login_required
@require_POST
def mark_all_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("inbox")


@login_required
def todo(request):
    """待办: the work the user's role has to do, from states and deadlines (``accounts.todo``)."""
    busy, idle = todo_lists.page(request.user)
    return render(request, "accounts/todo.html", {"sections": busy + idle, "busy": busy, "idle": idle})


@login_required
def todo_section(request, key):
    """One 待办 section in full, paginated."""
    section = todo_lists.section(request.user, key)
    if section is None:
        raise Http404
    today = timezone.localdate()
    page = paginate(request, section.rows(request.user, today))
    page.object_list = [todo_lists.describe(section, row, today) for row in page.object_list]
    return render(request, "accounts/todo_section.html", {"section": section, "page": page})


@login_required
def email_preference(request):
    """The user chooses how notifications reach them by email: each at once, a daily digest, or none."""
    form = EmailPreferenceForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your email preference was saved."))
        return redirect("email_preference")
    return render(request, "accounts/email_preference.html", {"form": form})


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
