"""Registering a relying party (Sportello) as a subordinate of the trust anchor, with a trust mark.

Used by the register_rp management command and by POST /harness/register. Writes only the
package's models: FederationDescendant (the RP's entity id and federation keys, which the
anchor's fetch endpoint then signs into the subordinate statement), FederationEntityProfile
(the trust mark id) and FederationEntityAssignedProfile (the trust mark the anchor issues).
"""

import urllib.parse

from django.core.exceptions import ValidationError
from django.db import transaction

from spid_cie_oidc.authority.models import (
    FederationDescendant,
    FederationEntityAssignedProfile,
    FederationEntityProfile,
)
from spid_cie_oidc.entity.models import get_first_self_trust_anchor
from spid_cie_oidc.entity.validators import validate_public_jwks


class RegistrationError(ValueError):
    """The request to register a relying party is not valid; the message says why."""


def _keys(jwks) -> list:
    keys = jwks.get("keys") if isinstance(jwks, dict) else jwks
    if not isinstance(keys, list) or not keys:
        raise RegistrationError("jwks must be a JWK set {\"keys\": [...]} or a list of JWKs")
    for key in keys:
        if not isinstance(key, dict) or not key.get("kid"):
            raise RegistrationError("every federation JWK needs a kid")
    try:
        validate_public_jwks(keys)
    except ValidationError as e:
        raise RegistrationError(f"jwks: {' '.join(e.messages)}") from e
    return keys


@transaction.atomic
def register_relying_party(entity_id: str, jwks, trust_mark_id: str, name: str = "") -> dict:
    """Makes `entity_id` an active subordinate of this trust anchor with the federation `jwks`
    (the keys its entity configuration is signed with) and a trust mark of `trust_mark_id`.

    Registering again replaces the keys and adds the trust mark if it is a new one. Returns what
    the relying party needs for its entity configuration: authority_hints and trust_marks."""
    parsed = urllib.parse.urlparse(entity_id or "")
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise RegistrationError(f"entity_id must be an http(s) URL, not {entity_id!r}")
    if not trust_mark_id:
        raise RegistrationError("trust_mark_id is required")
    keys = _keys(jwks)
    ta = get_first_self_trust_anchor()
    profile, _ = FederationEntityProfile.objects.get_or_create(
        profile_id=trust_mark_id,
        defaults={
            "name": "RP test profile",
            "profile_category": "openid_relying_party",
            "trust_mark_template": {"organization_type": "public"},
        },
    )
    descendant, _ = FederationDescendant.objects.update_or_create(
        sub=entity_id,
        defaults={
            # The model allows 33 characters.
            "name": (name or parsed.netloc)[:33],
            "type": "openid_relying_party",
            "jwks": keys,
            "is_active": True,
        },
    )
    FederationEntityAssignedProfile.objects.get_or_create(
        descendant=descendant, profile=profile, issuer=ta
    )
    fetch = ta.metadata["federation_entity"]["federation_fetch_endpoint"]
    return {
        "entity_id": entity_id,
        "trust_anchor": ta.sub,
        "authority_hints": [ta.sub],
        "trust_mark_id": trust_mark_id,
        # Each: {"trust_mark_type", "trust_mark_id", "id", "trust_mark": JWS}; to be published
        # as they are in the RP's entity configuration, claim "trust_marks".
        "trust_marks": descendant.trust_marks,
        "subordinate_statement": f"{fetch}?{urllib.parse.urlencode({'sub': entity_id})}",
    }
