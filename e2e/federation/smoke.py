#!/usr/bin/env python3
"""Smoke check of the test federation: starts run.py serve on free 127.0.0.1 ports in a fresh
data directory and checks, with cryptojwt from the venv, what Sportello's relying party will rely
on. Prints each check; exits non-zero at the first failure (with the members' log tails).

    /work/fedvenv/bin/python e2e/federation/smoke.py [--no-login] [--keep DIR]

1. The trust anchor's and each provider's entity configuration (/.well-known/openid-federation):
   typ entity-statement+jwt, kid, self-signed, the providers' authority_hints and trust marks.
2. The anchor's subordinate statement of each provider (fetch endpoint): signed by the anchor,
   carrying the provider's federation keys (which verify its entity configuration) and the
   metadata policy; the list endpoint; the resolve endpoint's resolved provider metadata.
3. A throwaway relying party (a new JWK, nothing published) registered through POST
   /harness/register and another through `run.py register-rp`: listed, fetchable, trust mark
   signed by the anchor and active at the trust mark status endpoint.
4. Unless --no-login: a relying party written here in Python, as the Rust one is to be (entity
   configuration with its trust mark on a local port, ES256 request object, private_key_jwt,
   RSA-OAEP UserInfo), logs a test user in at each provider through its login and consent
   pages, exchanges the code, checks the ID token's acr and decrypts UserInfo.
"""

import argparse
import base64
import hashlib
import html.parser
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from cryptojwt.jwe.jwe import JWE
from cryptojwt.jwk.ec import new_ec_key
from cryptojwt.jwk.jwk import key_from_jwk_dict
from cryptojwt.jwk.rsa import new_rsa_key
from cryptojwt.jws.jws import JWS

HERE = Path(__file__).resolve().parent
FISCAL_NUMBER = "https://attributes.eid.gov.it/fiscal_number"
ENTITY_STATEMENT = "application/entity-statement+jwt"

passed = 0


def ok(what: str) -> None:
    global passed
    passed += 1
    print(f"ok    {what}", flush=True)


class Failed(Exception):
    pass


def check(condition, what: str, detail="") -> None:
    if not condition:
        raise Failed(f"{what}{': ' + str(detail) if detail else ''}")
    ok(what)


# --- JOSE --------------------------------------------------------------------------------------

def b64json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def header(jwt: str) -> dict:
    return b64json(jwt.split(".")[0])


def verify(jwt: str, jwks: list, algs=("RS256", "ES256")) -> dict:
    """The payload of a compact JWS, verified with the key of its kid in jwks (nothing else)."""
    head = header(jwt)
    if head.get("alg") not in algs:
        raise Failed(f"alg {head.get('alg')} not in {algs}")
    keys = [k for k in jwks if k.get("kid") == head.get("kid")]
    if len(keys) != 1:
        raise Failed(f"kid {head.get('kid')} not (once) in {[k.get('kid') for k in jwks]}")
    payload = JWS(alg=head["alg"]).verify_compact(jwt, [key_from_jwk_dict(keys[0])])
    return payload if isinstance(payload, dict) else json.loads(payload)


def sign(payload: dict, key, typ: str = "") -> str:
    protected = {"typ": typ} if typ else None
    return JWS(json.dumps(payload), alg="ES256").sign_compact([key], protected=protected)


def public(key) -> dict:
    jwk = key.serialize(private=False)
    jwk["kid"] = key.kid
    if key.use:
        jwk["use"] = key.use
    return jwk


def new_key(kind: str, use: str = ""):
    key = new_ec_key(crv="P-256") if kind == "EC" else new_rsa_key(key_size=2048)
    key.kid = key.thumbprint("SHA-256").decode()
    if use:
        key.use = use
    return key


# --- HTTP --------------------------------------------------------------------------------------

HTTP = requests.Session()
HTTP.trust_env = False  # 127.0.0.1 only, never a proxy


def get_statement(url: str, **kw) -> str:
    res = HTTP.get(url, timeout=15, **kw)
    if res.status_code != 200:
        raise Failed(f"GET {url}: {res.status_code} {res.text[:300]}")
    return res


class Forms(html.parser.HTMLParser):
    """The forms of a page: action, method and their inputs' name -> value."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", ""), "inputs": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["inputs"][a["name"]] = a.get("value") or ""


def forms(page: str) -> list:
    parser = Forms()
    parser.feed(page)
    return parser.forms


# --- the harness -------------------------------------------------------------------------------

def start_harness(data_dir: Path, *extra: str):
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "run.py"), "serve", "--data-dir", str(data_dir), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )
    line = proc.stdout.readline()
    if not line:
        raise Failed("run.py serve printed nothing", proc.stderr.read()[-3000:])
    return proc, json.loads(line)


def entity_configuration(entity_id: str) -> tuple:
    res = get_statement(f"{entity_id}/.well-known/openid-federation")
    check(res.headers["content-type"].startswith(ENTITY_STATEMENT),
          f"{entity_id}/.well-known/openid-federation is {ENTITY_STATEMENT}")
    jwt = res.text
    head = header(jwt)
    check(head.get("typ") == "entity-statement+jwt" and head.get("kid"),
          f"  header typ entity-statement+jwt, kid {head.get('kid')}, alg {head.get('alg')}")
    payload = b64json(jwt.split(".")[1])
    conf = verify(jwt, payload["jwks"]["keys"])
    check(conf["iss"] == conf["sub"] == entity_id, "  self-signed, iss = sub = the entity id")
    check(conf["iat"] <= time.time() < conf["exp"], f"  valid now (exp in {(conf['exp'] - time.time()) / 3600:.0f} h)")
    return jwt, conf


def check_federation(fed: dict) -> dict:
    ta = fed["trust_anchor"]
    _, ta_conf = entity_configuration(ta)
    ta_keys = ta_conf["jwks"]["keys"]
    fe = ta_conf["metadata"]["federation_entity"]
    endpoints = {k: fe.get(f"federation_{k}_endpoint") for k in ("fetch", "list", "resolve", "trust_mark_status")}
    check(all(endpoints.values()), "  anchor metadata names its fetch, list, resolve and trust_mark_status endpoints", endpoints)
    providers = {name: fed[name] for name in ("spid", "cie") if name in fed}

    for name, op in providers.items():
        jwt, conf = entity_configuration(op)
        check(conf.get("authority_hints") == [ta], f"  {name}: authority_hints = [{ta}]")
        opm = conf["metadata"]["openid_provider"]
        check(opm["issuer"] == op and opm["authorization_endpoint"] == f"{op}/authorization",
              f"  {name}: openid_provider metadata, issuer = entity id, authorization at {opm['authorization_endpoint']}")
        marks = conf.get("trust_marks", [])
        check(len(marks) == 1, f"  {name}: publishes one trust mark")
        tm = verify(marks[0]["trust_mark"], ta_keys)
        check(tm["iss"] == ta and tm["sub"] == op and tm["trust_mark_type"] == fed["trust_mark_ids"]["op_public"],
              f"  {name}: trust mark {tm['trust_mark_type']} signed by the anchor")

        res = get_statement(endpoints["fetch"], params={"sub": op})
        check(res.headers["content-type"].startswith(ENTITY_STATEMENT), f"fetch?sub={op} is {ENTITY_STATEMENT}")
        check(header(res.text).get("typ") == "entity-statement+jwt", "  header typ entity-statement+jwt")
        st = verify(res.text, ta_keys)
        check(st["iss"] == ta and st["sub"] == op, "  signed by the anchor, iss = anchor, sub = provider")
        verify(jwt, st["jwks"]["keys"])
        ok("  its jwks verify the provider's entity configuration (the chain's link)")
        check(st["metadata_policy"]["openid_provider"]["token_endpoint_auth_methods_supported"] == {"value": ["private_key_jwt"]},
              "  metadata_policy for openid_provider (token_endpoint_auth_methods_supported value private_key_jwt, ...)")

    listed = HTTP.get(endpoints["list"], timeout=15).json()
    check(set(providers.values()) <= set(listed), f"list: {listed}")

    token = Path(fed["staff_token_file"]).read_text().strip()
    for name, op in providers.items():
        res = get_statement(endpoints["resolve"], params={"sub": op, "trust_anchor": ta}, headers={"Authorization": token})
        check(res.headers["content-type"].startswith("application/resolve-response+jwt"),
              f"resolve?sub={op} (staff token) is application/resolve-response+jwt")
        rr = verify(res.text, ta_keys)
        md = rr["metadata"]["openid_provider"]
        check(md["subject_types_supported"] == ["pairwise"] and len(rr["trust_chain"]) == 3,
              f"  resolved metadata after policy (subject_types_supported {md['subject_types_supported']}), trust_chain of {len(rr['trust_chain'])}")
    return {"ta_keys": ta_keys, "endpoints": endpoints}


def check_registration(fed: dict, ctx: dict, data_dir: Path) -> None:
    ta = fed["trust_anchor"]
    ep = ctx["endpoints"]
    mark_id = fed["trust_mark_ids"]["rp_public"]
    key = new_key("EC")
    entity_id = "http://127.0.0.1:1/throwaway-rp"
    res = HTTP.post(fed["register"], json={"entity_id": entity_id, "jwks": {"keys": [public(key)]}, "trust_mark_id": mark_id}, timeout=15)
    check(res.status_code == 201, f"POST /harness/register {entity_id} (a new P-256 JWK, nothing published)", res.text[:300])
    reg = res.json()
    check(reg["authority_hints"] == [ta] and reg["trust_marks"][0]["trust_mark_id"] == mark_id,
          "  answers authority_hints and the trust mark to publish")

    cli_id = "http://127.0.0.1:2/throwaway-rp"
    out = subprocess.run(
        [sys.executable, str(HERE / "run.py"), "register-rp", "--data-dir", str(data_dir),
         "--entity-id", cli_id, "--jwks", json.dumps({"keys": [public(new_key("EC"))]})],
        capture_output=True, text=True, timeout=120,
    )
    check(out.returncode == 0 and json.loads(out.stdout)["entity_id"] == cli_id,
          f"run.py register-rp {cli_id}", out.stderr[-500:])

    listed = HTTP.get(ep["list"], timeout=15).json()
    check(entity_id in listed and cli_id in listed, "list: the anchor lists both")
    rps = HTTP.get(ep["list"], params={"entity_type": "openid_relying_party"}, timeout=15).json()
    # A kept data directory (--keep) also lists the RPs of earlier runs.
    check({entity_id, cli_id} <= set(rps) and not set(rps) & {fed["spid"], fed["cie"]},
          f"list?entity_type=openid_relying_party: both, and no provider ({len(rps)} listed)")

    st = verify(get_statement(ep["fetch"], params={"sub": entity_id}).text, ctx["ta_keys"])
    check(st["sub"] == entity_id and st["jwks"]["keys"] == [public(key)], "fetch?sub=the RP: its statement carries the registered key")
    check("openid_relying_party" in st["metadata_policy"], f"  metadata_policy for openid_relying_party: {json.dumps(st['metadata_policy']['openid_relying_party'])}")
    tm = verify(reg["trust_marks"][0]["trust_mark"], ctx["ta_keys"])
    check(tm["sub"] == entity_id and tm["iss"] == ta, "  its trust mark is signed by the anchor for the RP")
    res = HTTP.post(ep["trust_mark_status"], data={"sub": entity_id, "trust_mark_id": mark_id}, timeout=15)
    status = verify(res.text, ctx["ta_keys"]) if res.status_code == 200 else {}
    check(status.get("status") == "active", "trust_mark_status: active (a signed trust-mark-status-response+jwt)", res.text[:200])


# --- a relying party, in Python, as the Rust one is to be --------------------------------------

class RelyingParty:
    """Serves its entity configuration at http://127.0.0.1:PORT/.well-known/openid-federation."""

    def __init__(self, fed: dict):
        self.fed = fed
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.entity_id = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.redirect_uri = f"{self.entity_id}/callback"
        self.fed_key = new_key("EC")           # signs the entity configuration
        self.sig_key = new_key("EC", "sig")    # request objects and client assertions (ES256)
        self.enc_key = new_key("RSA", "enc")   # UserInfo is encrypted to it (RSA-OAEP)
        self.trust_marks = []
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(rp):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != "/.well-known/openid-federation":
                    self.send_error(404)
                    return
                body = rp.entity_configuration().encode()
                self.send_response(200)
                self.send_header("Content-Type", ENTITY_STATEMENT)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_):
                pass

        return Handler

    def entity_configuration(self) -> str:
        now = int(time.time())
        enc = self.fed_userinfo_encryption
        return sign({
            "iss": self.entity_id,
            "sub": self.entity_id,
            "iat": now,
            "exp": now + 3600,
            "jwks": {"keys": [public(self.fed_key)]},
            "authority_hints": [self.fed["trust_anchor"]],
            "trust_marks": self.trust_marks,
            "metadata": {
                "federation_entity": {
                    "organization_name": "Sportello (smoke)",
                    "homepage_uri": self.entity_id,
                    "contacts": ["ops@example.org"],
                },
                "openid_relying_party": {
                    "client_id": self.entity_id,
                    "client_name": "Sportello (smoke)",
                    "organization_name": "Sportello (smoke)",
                    "application_type": "web",
                    "client_registration_types": ["automatic"],
                    "redirect_uris": [self.redirect_uri],
                    "response_types": ["code"],
                    "grant_types": ["authorization_code"],
                    "subject_type": "pairwise",
                    "token_endpoint_auth_method": "private_key_jwt",
                    "id_token_signed_response_alg": "RS256",
                    "userinfo_signed_response_alg": "RS256",
                    "userinfo_encrypted_response_alg": enc["alg"],
                    "userinfo_encrypted_response_enc": enc["enc"],
                    "contacts": ["ops@example.org"],
                    # Inline: the token endpoint looks the client assertion's key up here only.
                    "jwks": {"keys": [public(self.sig_key), public(self.enc_key)]},
                },
            },
        }, self.fed_key, typ="entity-statement+jwt")

    fed_userinfo_encryption = {"alg": "RSA-OAEP", "enc": "A256CBC-HS512"}

    def register(self, trust_mark_id: str = "") -> None:
        trust_mark_id = trust_mark_id or self.fed["trust_mark_ids"]["rp_public"]
        res = HTTP.post(self.fed["register"], json={
            "entity_id": self.entity_id,
            "jwks": {"keys": [public(self.fed_key)]},
            "trust_mark_id": trust_mark_id,
            "name": "Sportello (smoke)",
        }, timeout=15)
        check(res.status_code == 201, f"RP {self.entity_id} registered with trust mark {trust_mark_id}, serving its entity configuration with it", res.text[:300])
        self.trust_marks = res.json()["trust_marks"]

    def authorize(self, name: str, op: str, browser) -> tuple:
        """GET the provider's authorization endpoint with an ES256-signed request object."""
        _, op_conf = entity_configuration(op)
        md = op_conf["metadata"]["openid_provider"]
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = int(time.time())
        claims = {"userinfo": {FISCAL_NUMBER: {"essential": True}, "given_name": None, "family_name": None}}
        if name == "cie":
            claims["id_token"] = {"family_name": {"essential": True}, "given_name": {"essential": True}}
        request_object = sign({
            "iss": self.entity_id,
            "client_id": self.entity_id,
            "aud": [op, md["authorization_endpoint"]],
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_hex(16),
            "response_type": "code",
            "scope": ["openid"],
            "redirect_uri": self.redirect_uri,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "acr_values": ["https://www.spid.gov.it/SpidL2"],
            "prompt": "consent login",
            "claims": claims,
        }, self.sig_key)
        res = browser.get(md["authorization_endpoint"], params={
            "client_id": self.entity_id, "response_type": "code", "scope": "openid",
            "code_challenge": challenge, "code_challenge_method": "S256", "request": request_object,
        }, allow_redirects=False, timeout=30)
        return md, res, state, nonce, verifier

    def refused(self, name: str, op: str, why: str) -> None:
        """The provider must not show its login form to this RP, but send it back an error."""
        browser = requests.Session()
        browser.trust_env = False
        _, res, state, _, _ = self.authorize(name, op, browser)
        back = urllib.parse.urlparse(res.headers.get("location", ""))
        query = dict(urllib.parse.parse_qsl(back.query))
        check(res.status_code == 302 and f"{back.scheme}://{back.netloc}{back.path}" == self.redirect_uri
              and query.get("error") == "invalid_request" and query.get("state") == state,
              f"{name}: refuses {why}: 302 back with error={query.get('error')} ({query.get('error_description')})",
              f"{res.status_code} {res.text[:200]}")

    def login(self, name: str, op: str, username: str, level: int, ta_keys: list) -> None:
        browser = requests.Session()
        browser.trust_env = False
        md, res, state, nonce, verifier = self.authorize(name, op, browser)
        page = forms(res.text) if res.status_code == 200 else []
        login = next((f for f in page if "username" in f["inputs"]), None)
        check(login and {"password", "authz_request_object", "csrfmiddlewaretoken"} <= set(login["inputs"]),
              f"{name}: GET authorization with an ES256 request object: the provider resolved the RP's trust chain and shows its login form",
              f"{res.status_code} {res.headers.get('location', '')}")
        form = dict(login["inputs"], username=username, password="password")
        res = browser.post(urllib.parse.urljoin(res.url, login["action"]), data=form, allow_redirects=False, timeout=30)
        check(res.status_code == 302, f"  POST {login['action']} as {username}: 302 to {res.headers.get('location')}", res.status_code)
        res = browser.get(urllib.parse.urljoin(md["authorization_endpoint"], res.headers["location"]), allow_redirects=False, timeout=30)
        consent = next((f for f in forms(res.text) if "agree" in f["inputs"]), None)
        check(res.status_code == 200 and consent, "  the consent page's form (hidden agree)")
        res = browser.post(urllib.parse.urljoin(res.url, consent["action"]), data=consent["inputs"], allow_redirects=False, timeout=30)
        back = urllib.parse.urlparse(res.headers.get("location", ""))
        query = dict(urllib.parse.parse_qsl(back.query))
        check(res.status_code == 302 and f"{back.scheme}://{back.netloc}{back.path}" == self.redirect_uri
              and query.get("state") == state and query.get("code") and query.get("iss") == op,
              "  POST consent: 302 to the RP's redirect_uri with code, state and iss")

        assertion = sign({
            "iss": self.entity_id, "sub": self.entity_id, "aud": [md["token_endpoint"]],
            "iat": int(time.time()), "exp": int(time.time()) + 60, "jti": secrets.token_hex(16),
        }, self.sig_key)
        res = HTTP.post(md["token_endpoint"], data={
            "grant_type": "authorization_code", "code": query["code"], "code_verifier": verifier,
            "client_id": self.entity_id, "client_assertion": assertion,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        }, timeout=30)
        check(res.status_code == 200, "  POST token (private_key_jwt, ES256 client assertion, PKCE verifier)", res.text[:300])
        tokens = res.json()
        id_token = verify(tokens["id_token"], md["jwks"]["keys"], algs=("RS256",))
        expected = f"https://www.spid.gov.it/SpidL{level}"
        check(id_token["iss"] == op and id_token["aud"] == [self.entity_id] and id_token["nonce"] == nonce
              and id_token["acr"] == expected,
              f"  ID token RS256 ({header(tokens['id_token'])['kid'][:8]}…): iss, aud, nonce, acr {id_token['acr'].rsplit('/', 1)[1]} "
              f"(asked SpidL2); claims {sorted(id_token)}; token response keys {sorted(tokens)}, scope {tokens['scope']!r}")
        if name == "cie":
            check(id_token.get("given_name") and id_token.get("family_name"), "  CIE: given_name and family_name in the ID token")

        res = HTTP.get(md["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=30)
        jwe_head = header(res.text)
        check(res.status_code == 200 and res.headers["content-type"].startswith("application/jwt") and len(res.text.split(".")) == 5,
              f"  GET userinfo: application/jwt, a JWE {json.dumps(jwe_head)}")
        check(jwe_head["kid"] == self.enc_key.kid and [jwe_head["alg"], jwe_head["enc"]] == list(self.fed_userinfo_encryption.values()),
              f"  encrypted to the RP's `use: enc` RSA key with {jwe_head['alg']} and {jwe_head['enc']}")
        inner = JWE().decrypt(res.text, keys=[self.enc_key])
        info = verify(inner.decode(), md["jwks"]["keys"], algs=("RS256",))
        cf = info.get(FISCAL_NUMBER, "")
        check(cf.startswith("TINIT-") and info["sub"] == id_token["sub"],
              f"  decrypted, a JWS RS256 with the ID token's sub and {FISCAL_NUMBER} = {cf} (claims {sorted(info)})")


def main() -> int:
    parser = argparse.ArgumentParser(description="Smoke check of the test federation.")
    parser.add_argument("--no-login", action="store_true", help="skip the relying party's logins")
    parser.add_argument("--keep", metavar="DIR", help="use (and keep) this data directory")
    parser.add_argument("--jwe-alg", default="RSA-OAEP", help="passed to run.py serve")
    parser.add_argument("--jwe-enc", default="A256CBC-HS512", help="passed to run.py serve")
    args = parser.parse_args()
    data_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="federation-smoke-"))
    proc = fed = None
    try:
        started = time.monotonic()
        proc, fed = start_harness(data_dir, "--jwe-alg", args.jwe_alg, "--jwe-enc", args.jwe_enc)
        ok(f"run.py serve up in {time.monotonic() - started:.1f} s: anchor {fed['trust_anchor']}, spid {fed['spid']}, cie {fed['cie']}")
        ctx = check_federation(fed)
        check_registration(fed, ctx, data_dir)
        if not args.no_login:
            rp = RelyingParty(fed)
            rp.fed_userinfo_encryption = {"alg": args.jwe_alg, "enc": args.jwe_enc}
            rp.register()
            rp.login("spid", fed["spid"], "mario.rossi", 2, ctx["ta_keys"])
            rp.login("spid", fed["spid"], "anna.bianchi", 1, ctx["ta_keys"])
            rp.login("cie", fed["cie"], "lucia.verdi", 3, ctx["ta_keys"])
            # Without these the logins above would not show that the chain is checked at all.
            stranger = RelyingParty(fed)
            # A valid trust mark, but another RP's (the package does not compare its sub): only
            # the anchor's missing subordinate statement can refuse this one.
            stranger.trust_marks = rp.trust_marks
            stranger.refused("spid", fed["spid"], "an RP the anchor does not know (publishing another RP's trust mark)")
            unmarked = RelyingParty(fed)
            unmarked.register("https://example.org/trust-marks/not-required-by-the-providers")
            unmarked.refused("spid", fed["spid"], "an RP whose trust mark is not one the providers require")
    except Exception as e:  # noqa: BLE001 - any failure is the smoke check's failure
        print(f"FAIL  {type(e).__name__}: {e}", flush=True)
        if fed:
            for role, log in fed["logs"].items():
                print(f"--- {log} (tail)")
                print("".join(Path(log).read_text("utf-8", "replace").splitlines(True)[-25:]))
        print(f"{passed} passed, 1 failed")
        return 1
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"{passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
