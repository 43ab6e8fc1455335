from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", include("security.urls_two_factor")),
    path("signup/", views.signup, name="signup"),
    path("language/<str:code>/", views.switch_language, name="switch_language"),
    path("invite/<int:organisation_pk>/", views.invite, name="invite"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.mark_all_read, name="inbox_mark_read"),
    path("inbox/<int:pk>/", views.open_notification, name="open_notification"),
    path("todo/", views.todo, name="todo"),
    path("todo/<slug:key>/", views.todo_section, name="todo_section"),
    path("email/", views.email_preference, name="email_preference"),
]

if settings.OIDC_ENABLED:
    # The province's unified identity platform (accounts/oidc.py): oidc/authenticate/ starts, oidc/callback/ ends.
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
