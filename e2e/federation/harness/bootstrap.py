"""Makes this member's database match federation.json and the key files, on every start.

Idempotent: keys are never replaced, but entity ids follow the ports of this run, so a data
directory can be started again on other ports. Only the package's own models are written.
"""

import json
import logging

from django.conf import settings
from django.db import transaction

from spid_cie_oidc.entity.models import FederationEntityConfiguration
from spid_cie_oidc.entity.validators import validate_entity_metadata, validate_metadata_algs

from . import keys as fedkeys
from . import users

logger = logging.getLogger(__name__)

ENTITY_EXP_MINUTES = 2880


def trust_mark_file(member: str):
    """Where the trust anchor leaves a provider's trust mark for the provider to publish."""
    return settings.DATA_DIR / "trust_marks" / f"{member}.json"


def _upsert_own_configuration(**fields) -> FederationEntityConfiguration:
    # One member per database: its single configuration follows this run's entity id.
    conf = FederationEntityConfiguration.objects.order_by("id").first()
    if conf is None:
        conf = FederationEntityConfiguration(**fields)
    else:
        for name, value in fields.items():
            setattr(conf, name, value)
    conf.save()
    FederationEntityConfiguration.objects.exclude(pk=conf.pk).delete()
    return conf


@transaction.atomic
def bootstrap_trust_anchor() -> None:
    from django.contrib.auth import get_user_model
    from spid_cie_oidc.authority.models import (
        FederationDescendant,
        FederationEntityAssignedProfile,
        FederationEntityProfile,
    )
    from spid_cie_oidc.entity.models import StaffToken

    fed = settings.FEDERATION
    ta = fed["trust_anchor"]
    marks = fed["trust_mark_ids"]
    jwks_fed = fedkeys.load_keys(settings.DATA_DIR, "ta", "fed")
    conf = _upsert_own_configuration(
        sub=ta,
        default_exp=ENTITY_EXP_MINUTES,
        default_signature_alg="RS256",
        authority_hints=[],
        jwks_fed=jwks_fed,
        jwks_core=fedkeys.load_keys(settings.DATA_DIR, "ta", "core"),
        # The trust anchor issues every trust mark of this federation itself.
        trust_mark_issuers={mark: [ta] for mark in marks.values()},
        trust_marks=[],
        entity_type="federation_entity",
        metadata={
            "federation_entity": {
                "organization_name": "Federazione di prova Sportello",
                "homepage_uri": ta,
                "contacts": ["ops@example.org"],
                "federation_fetch_endpoint": f"{ta}/fetch",
                "federation_list_endpoint": f"{ta}/list",
                "federation_resolve_endpoint": f"{ta}/resolve",
                "federation_trust_mark_status_endpoint": f"{ta}/trust_mark_status",
            }
        },
        # Relying parties and providers hang directly under the anchor.
        constraints={"max_path_length": 0},
        is_active=True,
    )
    validate_entity_metadata(conf.metadata)

    categories = {
        "rp_public": ("openid_relying_party", "SPID RP public"),
        "rp_private": ("openid_relying_party", "SPID RP private"),
        "op_public": ("openid_provider", "SPID OP public"),
    }
    profiles = {}
    for key, mark in marks.items():
        category, name = categories[key]
        profiles[key], _ = FederationEntityProfile.objects.update_or_create(
            profile_id=mark,
            defaults={
                "name": name,
                "profile_category": category,
                "trust_mark_template": {"organization_type": "public"},
            },
        )

    for member, entity_id in fed["providers"].items():
        # Keyed by uid, so that a run on other ports moves the provider instead of adding one.
        descendant, _ = FederationDescendant.objects.update_or_create(
            uid=f"provider-{member}",
            defaults={
                "name": f"{member.upper()} OP di prova",
                "sub": entity_id,
                "type": "openid_provider",
                "jwks": [
                    fedkeys.public_jwk(k)
                    for k in fedkeys.load_keys(settings.DATA_DIR, member, "fed")
                ],
                "is_active": True,
            },
        )
        assigned, _ = FederationEntityAssignedProfile.objects.get_or_create(
            descendant=descendant, profile=profiles["op_public"], issuer=conf
        )
        path = trust_mark_file(member)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(assigned.trust_mark), encoding="utf-8")

    # The resolve endpoint builds a trust chain only for a caller with a staff token.
    staff, _ = get_user_model().objects.get_or_create(
        username="federation-staff", defaults={"is_staff": True}
    )
    token = StaffToken.objects.filter(user=staff, is_active=True).first()
    if token is None:
        token = StaffToken.objects.create(user=staff)
    (settings.DATA_DIR / "staff_token").write_text(token.token, encoding="utf-8")
    logger.info("trust anchor %s ready with providers %s", ta, list(fed["providers"].values()))


def provider_metadata(entity_id: str, profile: str, core_public: list) -> dict:
    """The openid_provider metadata, as the package's OPMetadataSpid/OPMetadataCie schemas want
    it, saying what the package actually does (see docs/adr/0024)."""
    enc = settings.FEDERATION["userinfo_encryption"]
    signing = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]
    claims = [
        "given_name",
        "family_name",
        "email",
        "birthdate",
        "place_of_birth",
        users.FISCAL_NUMBER,
    ]
    metadata = {
        "issuer": entity_id,
        "authorization_endpoint": f"{entity_id}/authorization",
        "token_endpoint": f"{entity_id}/token",
        "userinfo_endpoint": f"{entity_id}/userinfo",
        "introspection_endpoint": f"{entity_id}/introspection",
        "revocation_endpoint": f"{entity_id}/revocation",
        "jwks": {"keys": core_public},
        "jwks_uri": f"{entity_id}/openid_provider/jwks.json",
        "organization_name": f"{profile.upper()} OP di prova",
        "client_registration_types_supported": ["automatic"],
        "request_authentication_methods_supported": {"authorization_endpoint": ["request_object"]},
        "request_parameter_supported": True,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": [users.level(n) for n in (1, 2, 3)],
        "claims_parameter_supported": True,
        "claims_supported": claims,
        "subject_types_supported": ["pairwise"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": signing,
        "request_object_signing_alg_values_supported": signing,
        # ID tokens, access tokens and the UserInfo JWS: jwks_core[0] (RSA) with RS256.
        "id_token_signing_alg_values_supported": ["RS256"],
        "userinfo_signing_alg_values_supported": ["RS256"],
        # UserInfo is always encrypted, with DEFAULT_JWE_ALG/DEFAULT_JWE_ENC.
        "userinfo_encryption_alg_values_supported": [enc["alg"]],
        "userinfo_encryption_enc_values_supported": [enc["enc"]],
        # Required by the schema; the package never encrypts ID tokens nor decrypts request
        # objects.
        "id_token_encryption_alg_values_supported": [enc["alg"]],
        "id_token_encryption_enc_values_supported": [enc["enc"]],
        "request_object_encryption_alg_values_supported": [enc["alg"]],
        "request_object_encryption_enc_values_supported": [enc["enc"]],
    }
    if profile == "spid":
        metadata["op_name"] = "SPID OP di prova"
        metadata["op_uri"] = entity_id
        metadata["scopes_supported"] = ["openid", "offline_access"]
    else:
        metadata["scopes_supported"] = ["openid", "offline_access", "profile", "email"]
        metadata["tls_client_certificate_bound_access_tokens"] = False
        metadata["authorization_response_iss_parameter_supported"] = True
    return metadata


@transaction.atomic
def bootstrap_provider(member: str) -> None:
    from django.contrib.auth import get_user_model

    fed = settings.FEDERATION
    entity_id = fed["providers"][member]
    core = fedkeys.load_keys(settings.DATA_DIR, member, "core")
    core_public = [fedkeys.public_jwk(k) for k in core]
    trust_marks = []
    if trust_mark_file(member).exists():
        trust_marks = [json.loads(trust_mark_file(member).read_text(encoding="utf-8"))]
    metadata = {
        "federation_entity": {
            "organization_name": f"{member.upper()} OP di prova",
            "homepage_uri": entity_id,
            "contacts": ["ops@example.org"],
        },
        "openid_provider": provider_metadata(entity_id, member, core_public),
    }
    # The package's own validators (what its admin would run): the profile's OP schema, algs.
    validate_entity_metadata(metadata)
    validate_metadata_algs(metadata)
    _upsert_own_configuration(
        sub=entity_id,
        default_exp=ENTITY_EXP_MINUTES,
        default_signature_alg="RS256",
        authority_hints=[fed["trust_anchor"]],
        jwks_fed=fedkeys.load_keys(settings.DATA_DIR, member, "fed"),
        jwks_core=core,
        trust_marks=trust_marks,
        trust_mark_issuers={},
        entity_type="openid_provider",
        metadata=metadata,
        constraints={},
        is_active=True,
    )

    User = get_user_model()
    for username in users.PEOPLE:
        user, _ = User.objects.get_or_create(username=username)
        person = users.PEOPLE[username]
        user.first_name, user.last_name = person[2], person[3]
        user.email = f"{username}@example.org"
        user.attributes = users.attributes(username)
        user.is_staff = False
        user.set_password(users.PASSWORD)
        user.save()
    logger.info("provider %s ready with users %s", entity_id, list(users.PEOPLE))


def bootstrap() -> None:
    if settings.ROLE == "ta":
        bootstrap_trust_anchor()
    else:
        bootstrap_provider(settings.ROLE)
