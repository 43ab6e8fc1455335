from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST


@login_required
def inbox(request):
    notifications = request.user.notifications.all()
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/inbox.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("inbox")
