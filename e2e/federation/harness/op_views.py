"""The provider's authorization endpoint with one change: a test user's own SPID level."""

from spid_cie_oidc.provider.models import OidcSession
from spid_cie_oidc.provider.views.authz_request_view import AuthzRequestView

from .users import LEVELS


class LevelledAuthzRequestView(AuthzRequestView):
    """The package's view; after a successful login (its 302 to the consent page) the session's
    acr, which the ID token asserts, becomes the user's level instead of the last level the
    relying party asked for. So anna.bianchi logs in at SpidL1 even when SpidL2 was asked."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        auth_code = request.session.get("oidc", {}).get("auth_code")
        if response.status_code == 302 and auth_code and request.user.is_authenticated:
            level = LEVELS.get(request.user.username)
            if level:
                OidcSession.objects.filter(auth_code=auth_code).update(acr=level)
        return response
