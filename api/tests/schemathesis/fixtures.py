"""Logs a citizen and a Contact Center operator in on a dev-mode Sportello server, for the fuzzing
run (scripts/fuzz-api.sh): registers the person of the contract's example PIN request in the dev
registry, requests their PIN with that example, reads both
halves from the dev outbox, logs in with the full PIN, logs the operator in with password and TOTP
code, and prints the `Cookie` header value that carries both sessions.

Usage: fixtures.py BASE_URL OPERATOR_OUTPUT_FILE [USERNAME]
"""

import base64
import hashlib
import hmac
import json
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

PIN_ALPHABET = re.compile(r"\b[A-HJ-NP-Z2-9]{8}\b")  # domain::pin::ALPHABET: no 0, O, 1, I


def call(base, method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def cookie(headers, name):
    for value in headers.get_all("Set-Cookie") or []:
        pair = value.split(";", 1)[0]
        if pair.startswith(name + "="):
            return pair
    sys.exit(f"no {name} cookie in {headers}")


def citizen_cookie(base):
    # The citizen is the person of the contract's own example PIN request: the examples the
    # contract shows (the application, the codice fiscale a call is opened for) are then theirs,
    # and the fuzzer's examples phase reaches what a real caller's first try reaches.
    _, _, body = call(base, "GET", "/api/openapi.json")
    form = json.loads(body)["components"]["schemas"]["PinRequestForm"]["examples"][0]
    # The registry holds the place of birth by its Belfiore code: the API's own place search has it.
    _, _, body = call(base, "GET", "/api/places?" + urllib.parse.urlencode({"q": form["birth_place"]}))
    place = next((hit["code"] for hit in json.loads(body) if hit["current"]
                  and (hit["name"], hit["province"]) == (form["birth_place"], form["birth_province"])), None)
    if place is None:
        sys.exit(f"the place search does not know the example's place of birth: {form['birth_place']}")
    cf = form["codice_fiscale"]
    tag = cf.lower()
    row = {"codice_fiscale": cf, "given_name": form["given_name"], "surname": form["surname"],
           "sex": form["sex"], "birth_date": form["birth_date"], "birth_place_code": place,
           "address": form["address"], "postcode": form["postcode"],
           "municipality": form["municipality"], "province": form["province"],
           "country": form["residence_country"]}
    status, _, body = call(base, "PUT", f"/api/dev/registry/{cf}", row)
    if status != 204:
        sys.exit(f"the dev registry refused the example's person: {status} {body.decode()}")
    status, _, body = call(base, "POST", "/api/pin-requests", form, {"Idempotency-Key": "fuzz-" + tag})
    if status != 201:
        sys.exit(f"PIN request refused: {status} {body.decode()}")
    for _ in range(100):  # messages leave a moment after the answer
        _, _, body = call(base, "GET", f"/api/dev/outbox?codice_fiscale={cf}")
        halves = {m["channel"]: m["body"] for m in json.loads(body)}
        if "sms" in halves and "post" in halves:
            break
        time.sleep(0.1)
    else:
        sys.exit(f"the PIN's messages did not arrive: {halves}")
    pin = "".join(PIN_ALPHABET.findall(halves[c])[0] for c in ("sms", "post"))
    status, headers, body = call(base, "POST", "/api/session", {"codice_fiscale": cf, "pin": pin})
    if status != 200:
        sys.exit(f"citizen login refused: {status} {body.decode()}")
    return cookie(headers, "sportello_session")


def totp(secret_base32, at):
    """RFC 6238: HMAC-SHA1, 6 digits, 30-second steps."""
    secret = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(secret, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def operator_cookie(base, printed):
    def line(label):
        match = re.search(rf"^{re.escape(label)}: *(\S+)", printed, re.M)
        if not match:
            sys.exit(f"no {label!r} in {printed}")
        return match.group(1)

    username = re.search(r"^operator (\S+)", printed, re.M)
    _, _, body = call(base, "GET", "/api/dev/clock")
    now = json.loads(body).get("now")
    at = datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp() if now else time.time()
    login = {"username": sys.argv[3] if len(sys.argv) > 3 else username.group(1),
             "password": line("initial password"), "totp": totp(line("TOTP secret (base32)"), at)}
    status, headers, body = call(base, "POST", "/api/operator/session", login)
    if status != 200:
        sys.exit(f"operator login refused: {status} {body.decode()}")
    return cookie(headers, "sportello_operator")


def main():
    base, operator_file = sys.argv[1:3]
    with open(operator_file) as f:
        printed = f.read()
    print(f"{citizen_cookie(base)}; {operator_cookie(base, printed)}")


if __name__ == "__main__":
    main()
