from oauth2_provider.oauth2_validators import OAuth2Validator


class CreditCodeValidator(OAuth2Validator):
    """Releases the unit's credit code (kept in the provider user's ``last_name``) under the ``company`` scope."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "credit_code": "company"}

    def get_additional_claims(self, request):
        return {"name": request.user.first_name, "email": request.user.email, "credit_code": request.user.last_name}
