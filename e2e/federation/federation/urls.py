"""The endpoints of one member of the test federation (see settings.ROLE).

Trust anchor, entity id http://127.0.0.1:TA_PORT:
  /.well-known/openid-federation   entity configuration        (spid_cie_oidc.entity)
  /resolve                         resolve endpoint            (spid_cie_oidc.entity)
  /fetch?sub=...                   subordinate statements      (spid_cie_oidc.authority)
  /list                            subordinate listing         (spid_cie_oidc.authority)
  /trust_mark_status               trust mark status           (spid_cie_oidc.authority)
  /harness/register                POST: register a relying party (this harness, tests only)

Provider, entity id http://127.0.0.1:OP_PORT/oidc/op:
  /oidc/op/.well-known/openid-federation, /oidc/op/authorization, /consent, /token,
  /userinfo, /introspection, /revocation, /openid_provider/jwks.json  (spid_cie_oidc.provider)
"""

from django.conf import settings
from django.urls import path

urlpatterns = []

if settings.ROLE == "ta":
    from spid_cie_oidc.authority.urls import urlpatterns as authority_urlpatterns
    from spid_cie_oidc.entity.urls import urlpatterns as entity_urlpatterns

    urlpatterns += entity_urlpatterns + authority_urlpatterns
    from harness.ta_views import register

    urlpatterns += [path("harness/register", register, name="harness_register")]
else:
    from spid_cie_oidc.entity.views import entity_configuration
    from spid_cie_oidc.provider.urls import urlpatterns as provider_urlpatterns

    from harness.op_views import LevelledAuthzRequestView

    # The package's authorization endpoint, where a test user's own SPID level becomes the
    # asserted acr (harness.op_views.LevelledAuthzRequestView); every other endpoint as shipped.
    for pattern in provider_urlpatterns:
        if pattern.name == "oidc_provider_authnrequest":
            pattern = path(
                str(pattern.pattern),
                LevelledAuthzRequestView.as_view(),
                name=pattern.name,
            )
        urlpatterns.append(pattern)
    urlpatterns += [
        path(
            "oidc/op/.well-known/openid-federation",
            entity_configuration,
            name="op_entity_configuration",
        ),
    ]
