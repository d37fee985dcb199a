"""The federation's private keys, generated once into DATA_DIR/keys/ and reused on every start.

Plain cryptojwt, no Django: run.py makes every member's keys before any member starts, so that
the trust anchor can register the providers' federation keys without waiting for them.
"""

import json
import os
from pathlib import Path

from cryptojwt.jwk.jwk import key_from_jwk_dict
from cryptojwt.jwk.rsa import new_rsa_key

#: The package's defaults: RSA keys (no PRIVATE_KEY_TYPE setting) and RS256 signatures.
KEY_SIZE = 2048


def new_private_jwk(use: str = "") -> dict:
    """A new RSA private JWK with its RFC 7638 thumbprint as kid (as spid_cie_oidc.entity.jwks
    .create_jwk makes them), and `use` when given."""
    key = new_rsa_key(key_size=KEY_SIZE)
    jwk = key.to_dict()
    jwk["kid"] = key.thumbprint("SHA-256").decode()
    if use:
        jwk["use"] = use
    return jwk


def public_jwk(private: dict) -> dict:
    """The public half of a private JWK, keeping kid and use."""
    jwk = key_from_jwk_dict(private).serialize(private=False)
    jwk["kid"] = private["kid"]
    if private.get("use"):
        jwk["use"] = private["use"]
    return jwk


def key_file(data_dir: Path, member: str, purpose: str) -> Path:
    """DATA_DIR/keys/<member>-<purpose>.json: purpose `fed` signs entity statements and trust
    marks, `core` signs ID tokens, access tokens and the UserInfo JWS."""
    return Path(data_dir) / "keys" / f"{member}-{purpose}.json"


def ensure_keys(data_dir: Path, member: str) -> None:
    """Creates the member's federation and core keys if they are not there yet."""
    for purpose, use in (("fed", ""), ("core", "sig")):
        path = key_file(data_dir, member, purpose)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        # Private keys: readable by their owner only.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump([new_private_jwk(use)], f, indent=2)
        tmp.rename(path)


def load_keys(data_dir: Path, member: str, purpose: str) -> list:
    """The member's private JWKs for that purpose."""
    with open(key_file(data_dir, member, purpose), encoding="utf-8") as f:
        return json.load(f)
