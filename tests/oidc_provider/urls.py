import json

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from jwcrypto import jwk


def wrong_jwks(request):
    """Another public key under the real key's kid: a token checked against it looks signed by another key."""
    real = jwk.JWK.from_pem(settings.KEY_FILE.read_bytes())
    other = json.loads(jwk.JWK.from_pem(settings.OTHER_KEY_FILE.read_bytes()).export_public())
    other.update(kid=real.thumbprint(), alg="RS256", use="sig")
    return JsonResponse({"keys": [other]})


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="oidc_provider/login.html")),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("wrong-jwks.json", wrong_jwks),
]
