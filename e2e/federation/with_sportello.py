#!/usr/bin/env python3
"""Starts the test federation and a Sportello server registered in it, for the e2e run.

    with_sportello.py --server target/debug/sportello-local --admin target/debug/sportello-admin \
        --port 18086 --data-dir DIR [--ta-port N --spid-port N --cie-port N]

1. `run.py serve` starts the trust anchor, the SPID and the CIE provider (spid-cie-oidc);
2. `sportello-admin federation keys DIR/keys` makes our three keys and prints the federation JWKs;
3. the anchor registers our entity id (http://127.0.0.1:PORT) with the `sp-public` trust mark, as
   onboarding would, and answers the trust marks we publish;
4. the server starts with SPORTELLO_FEDERATION naming the anchor (its keys pinned), SPID's list
   from it, the CIE provider, and the keys; the rest of its environment is this script's.

It runs until signalled, then stops the server and the federation. Everything is on 127.0.0.1.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:  # nosec: loopback only
        return json.loads(response.read())


def anchor_keys(anchor: str) -> dict:
    with urllib.request.urlopen(f"{anchor}/.well-known/openid-federation", timeout=30) as response:  # nosec
        payload = response.read().decode().split(".")[1]
    import base64
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jwks"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--admin", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--ta-port", type=int, default=0)
    parser.add_argument("--spid-port", type=int, default=0)
    parser.add_argument("--cie-port", type=int, default=0)
    args = parser.parse_args()
    data = Path(args.data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)

    federation = subprocess.Popen(
        [sys.executable, str(HERE / "run.py"), "serve", "--data-dir", str(data / "federation"),
         "--ta-port", str(args.ta_port), "--spid-port", str(args.spid_port), "--cie-port", str(args.cie_port)],
        stdout=subprocess.PIPE, text=True)
    line = federation.stdout.readline()
    if not line.strip():
        print("the test federation did not start", file=sys.stderr)
        return 1
    fed = json.loads(line)

    keys = data / "keys"
    if not keys.exists():
        jwks = json.loads(subprocess.run([args.admin, "federation", "keys", str(keys)],
                                         check=True, capture_output=True, text=True).stdout)
        (data / "federation-jwks.json").write_text(json.dumps(jwks))
    jwks = json.loads((data / "federation-jwks.json").read_text())
    entity_id = f"http://127.0.0.1:{args.port}"
    registered = post_json(fed["register"], {
        "entity_id": entity_id, "jwks": jwks,
        "trust_mark_id": fed["trust_mark_ids"]["rp_public"], "name": "Sportello (e2e)",
    })
    settings = {
        "trust_anchors": [{"entity_id": fed["trust_anchor"], "jwks": anchor_keys(fed["trust_anchor"])}],
        "authority_hints": registered["authority_hints"],
        "trust_marks": registered["trust_marks"],
        "spid_anchor": fed["trust_anchor"],
        "cie_providers": [fed["cie"]],
        "provider_trust_marks": [fed["trust_mark_ids"]["op_public"]],
        "organization_name": "Sportello (e2e)",
        "contacts": ["ops@sportello.example.it"],
    }
    (data / "federation-settings.json").write_text(json.dumps(settings))
    env = dict(os.environ,
               SPORTELLO_FEDERATION=f"@{data / 'federation-settings.json'}",
               SPORTELLO_FEDERATION_KEY=str(keys / "federation.pem"),
               SPORTELLO_OIDC_RP_KEY=str(keys / "rp.pem"),
               SPORTELLO_OIDC_ENC_KEY=str(keys / "enc.pem"),
               SPORTELLO_PUBLIC_URL=entity_id)
    server = subprocess.Popen([args.server], env=env)

    def stop(*_):
        for child in (server, federation):
            if child.poll() is None:
                child.terminate()
        for child in (server, federation):
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = server.wait()
    stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
