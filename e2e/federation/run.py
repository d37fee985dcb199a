#!/usr/bin/env python3
"""A test OpenID Connect Federation for Sportello, from the spid-cie-oidc reference implementation.

    run.py serve --data-dir DIR [--ta-port N] [--spid-port N] [--cie-port N] [--no-cie]
                 [--jwe-alg RSA-OAEP] [--jwe-enc A256CBC-HS512]
        Starts, each as its own Django process on 127.0.0.1, the trust anchor and the SPID-style
        and CIE-style OpenID providers (port 0 or unset: a free port). Keys are generated into
        DIR/keys on the first start and kept. When all are up, prints one JSON line: the entity
        ids, the registration endpoint, the staff token file, the logs. Stops on SIGTERM/SIGINT.
        Ports also from FED_TA_PORT, FED_SPID_PORT, FED_CIE_PORT; DIR from FED_DATA_DIR.

    run.py register-rp --data-dir DIR --entity-id URL --jwks FILE_OR_JSON [--trust-mark-id ID]
        Registers a relying party at the trust anchor of DIR (running or not) and prints the
        trust marks and authority_hints it must publish. POST {TA}/harness/register does the same.

    run.py manage --role ta|spid|cie --data-dir DIR ARGS...
        Any Django management command against one member's database.

Only the venv with requirements.txt installed is needed (see README.md).
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

#: Test federation trust mark ids, after the upstream example's SPID agreements.
TRUST_MARK_IDS = {
    "rp_public": "https://www.spid.gov.it/openid-federation/agreement/sp-public/",
    "rp_private": "https://www.spid.gov.it/openid-federation/agreement/sp-private/",
    "op_public": "https://www.spid.gov.it/openid-federation/agreement/op-public/",
}
START_TIMEOUT_S = 120
#: Plain urllib, never through a proxy: everything here is on 127.0.0.1.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def member_env(role: str, data_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="federation.settings",
        FED_ROLE=role,
        FED_DATA_DIR=str(data_dir),
        PYTHONUNBUFFERED="1",
    )
    return env


def setup_django(role: str, data_dir: Path) -> None:
    os.environ.update(member_env(role, data_dir))
    import django

    django.setup()


def die_with_parent() -> None:
    """In a child: be sent SIGTERM when the harness process dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{url}: the server exited ({proc.returncode}); see {log}:\n"
                             + log.read_text("utf-8", "replace")[-4000:])
        try:
            with HTTP.open(url, timeout=2) as res:
                if res.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} not up after {START_TIMEOUT_S} s; see {log}")


def serve(args) -> int:
    from harness import keys as fedkeys

    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    roles = ["ta", "spid"] + ([] if args.no_cie else ["cie"])
    ports = {
        "ta": args.ta_port or free_port(),
        "spid": args.spid_port or free_port(),
        "cie": args.cie_port or free_port(),
    }
    ta = f"http://127.0.0.1:{ports['ta']}"
    providers = {r: f"http://127.0.0.1:{ports[r]}/oidc/op" for r in roles if r != "ta"}
    federation = {
        "trust_anchor": ta,
        "providers": providers,
        "ports": {r: ports[r] for r in roles},
        "trust_mark_ids": TRUST_MARK_IDS,
        "required_trust_marks": [TRUST_MARK_IDS["rp_public"], TRUST_MARK_IDS["rp_private"]],
        "userinfo_encryption": {"alg": args.jwe_alg, "enc": args.jwe_enc},
    }
    (data_dir / "federation.json").write_text(json.dumps(federation, indent=2), "utf-8")
    for role in roles:
        fedkeys.ensure_keys(data_dir, role)
    # Providers bootstrap after the anchor: they publish the trust marks it issues them.
    (data_dir / "trust_marks").mkdir(exist_ok=True)
    for stale in (data_dir / "trust_marks").glob("*.json"):
        stale.unlink()

    children = []

    def stop(*_):
        for proc, _ in children:
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in children:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    def on_signal(signum, _frame):
        stop()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.until_stdin_closes:
        # For a parent that cannot signal us when it ends (a test process whose federation lives
        # as long as it does): its end closes our standard input.
        def watch_stdin():
            sys.stdin.buffer.read()
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch_stdin, daemon=True).start()

    logs = {}
    try:
        for role in roles:
            log = data_dir / f"{role}.log"
            logs[role] = str(log)
            with open(log, "ab") as out:
                proc = subprocess.Popen(
                    [sys.executable, str(HERE / "run.py"), "member", "--role", role,
                     "--data-dir", str(data_dir), "--port", str(ports[role])],
                    cwd=HERE, env=member_env(role, data_dir), stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, preexec_fn=die_with_parent,
                )
            children.append((proc, role))
            entity_id = ta if role == "ta" else providers[role]
            wait_until_up(f"{entity_id}/.well-known/openid-federation", proc, log)
        ready = {
            "trust_anchor": ta,
            **{role: providers[role] for role in providers},
            "register": f"{ta}/harness/register",
            "trust_mark_ids": TRUST_MARK_IDS,
            "staff_token_file": str(data_dir / "staff_token"),
            "data_dir": str(data_dir),
            "logs": logs,
        }
        print(json.dumps(ready), flush=True)
        while True:
            for proc, role in children:
                if proc.poll() is not None:
                    print(f"run.py: {role} exited ({proc.returncode}); see {logs[role]}",
                          file=sys.stderr, flush=True)
                    stop()
                    return 1
            time.sleep(0.5)
    finally:
        stop()


def member(args) -> int:
    """One member's server (started by serve): migrate, bootstrap, runserver."""
    setup_django(args.role, Path(args.data_dir).resolve())
    from django.core.management import call_command

    from harness.bootstrap import bootstrap

    call_command("migrate", interactive=False, verbosity=0)
    bootstrap()
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, skip_checks=True)
    return 0


def register_rp(args) -> int:
    setup_django("ta", Path(args.data_dir).resolve())
    from django.core.management import call_command

    extra = ["--trust-mark-id", args.trust_mark_id] if args.trust_mark_id else []
    call_command("register_rp", "--entity-id", args.entity_id, "--jwks", args.jwks,
                 "--name", args.name, *extra)
    return 0


def validate_rp(args) -> int:
    """The reference implementation's own checks of a relying party, run as the trust anchor:
    the onboarding validator of its entity configuration, the SPID and CIE RP metadata schemas,
    the trust chain built up to the anchor with the RP trust mark required, and, when given, the
    providers' authorization request schemas on a request object. One line per check; exit 1 on
    any failure."""
    setup_django("ta", Path(args.data_dir).resolve())
    from django.conf import settings

    from spid_cie_oidc.authority.validators import validate_entity_configuration
    from spid_cie_oidc.entity.jwtse import unpad_jwt_payload
    from spid_cie_oidc.entity.models import get_first_self_trust_anchor
    from spid_cie_oidc.entity.trust_chain_operations import get_or_create_trust_chain
    from spid_cie_oidc.provider.settings import OIDCFED_PROVIDER_PROFILES
    from spid_cie_oidc.relying_party.settings import RP_PROVIDER_PROFILES

    failures = 0

    def report(name, check):
        nonlocal failures
        try:
            detail = check()
            print(f"ok    {name}{': ' + detail if detail else ''}", flush=True)
        except Exception as e:  # the reference raises many kinds; each is a failed check
            failures += 1
            print(f"FAIL  {name}: {type(e).__name__}: {e}", flush=True)

    anchor = get_first_self_trust_anchor().sub
    found = {}

    def entity_configuration():
        ec = validate_entity_configuration(args.entity_id)
        found["ec"] = ec
        return (f"fetched {args.entity_id}/.well-known/openid-federation, signed by its own keys "
                f"(kid {ec.header.get('kid')}, typ {ec.header.get('typ')}), authority_hints {ec.payload['authority_hints']}")

    report("authority.validators.validate_entity_configuration", entity_configuration)
    for profile in ("spid", "cie"):
        def metadata(profile=profile):
            md = found["ec"].payload["metadata"]["openid_relying_party"]
            RP_PROVIDER_PROFILES[profile]["rp_metadata"](**md)
            return f"openid_relying_party metadata valid ({len(md)} claims)"
        report(f"relying_party.settings.RP_PROVIDER_PROFILES[{profile!r}]['rp_metadata']", metadata)

    def chain():
        tc = get_or_create_trust_chain(
            subject=args.entity_id, trust_anchor=anchor,
            httpc_params=settings.HTTPC_PARAMS,
            required_trust_marks=[args.trust_mark_id] if args.trust_mark_id else [],
            force=True,
        )
        if not tc or not tc.is_valid:
            raise ValueError(f"no valid trust chain ({tc})")
        marks = [m.get("id") or m.get("trust_mark_id") for m in (tc.trust_marks or [])]
        return (f"valid up to {anchor}, exp {tc.exp}, trust marks {marks}, "
                f"metadata after policy: {sorted(tc.metadata.get('openid_relying_party', {}))}")

    report("entity.trust_chain_operations.get_or_create_trust_chain", chain)
    if args.request_object:
        for profile in ("spid", "cie"):
            def request(profile=profile):
                payload = unpad_jwt_payload(args.request_object)
                OIDCFED_PROVIDER_PROFILES[profile]["authorization_request"](**payload)
                return f"request object valid ({sorted(payload)})"
            report(f"provider.settings.OIDCFED_PROVIDER_PROFILES[{profile!r}]['authorization_request']", request)
    print(f"{'all passed' if not failures else f'{failures} failed'}", flush=True)
    return 1 if failures else 0


def manage(args) -> int:
    setup_django(args.role, Path(args.data_dir).resolve())
    from django.core.management import execute_from_command_line

    execute_from_command_line(["run.py manage", *args.args])
    return 0


def main() -> int:
    env_port = lambda name: int(os.environ.get(name) or 0)  # noqa: E731
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="start the trust anchor and the providers")
    p.add_argument("--data-dir", default=os.environ.get("FED_DATA_DIR"), required=not os.environ.get("FED_DATA_DIR"))
    p.add_argument("--ta-port", type=int, default=env_port("FED_TA_PORT"))
    p.add_argument("--spid-port", type=int, default=env_port("FED_SPID_PORT"))
    p.add_argument("--cie-port", type=int, default=env_port("FED_CIE_PORT"))
    p.add_argument("--no-cie", action="store_true", help="no CIE-style provider")
    p.add_argument("--until-stdin-closes", action="store_true",
                   help="stop when standard input reaches its end (the parent process ended)")
    p.add_argument("--jwe-alg", default="RSA-OAEP", choices=["RSA-OAEP", "RSA-OAEP-256"])
    p.add_argument("--jwe-enc", default="A256CBC-HS512",
                   choices=["A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"])
    p.set_defaults(func=serve)

    p = sub.add_parser("member", help=argparse.SUPPRESS)
    p.add_argument("--role", required=True, choices=["ta", "spid", "cie"])
    p.add_argument("--data-dir", required=True)
    p.add_argument("--port", type=int, required=True)
    p.set_defaults(func=member)

    p = sub.add_parser("register-rp", help="register a relying party at the trust anchor")
    p.add_argument("--data-dir", default=os.environ.get("FED_DATA_DIR"), required=not os.environ.get("FED_DATA_DIR"))
    p.add_argument("--entity-id", required=True)
    p.add_argument("--jwks", required=True, help="the RP's federation JWK set: a file or JSON")
    p.add_argument("--trust-mark-id", default=None)
    p.add_argument("--name", default="")
    p.set_defaults(func=register_rp)

    p = sub.add_parser("validate-rp", help="the reference implementation's checks of a relying party")
    p.add_argument("--data-dir", default=os.environ.get("FED_DATA_DIR"), required=not os.environ.get("FED_DATA_DIR"))
    p.add_argument("--entity-id", required=True)
    p.add_argument("--trust-mark-id", default="https://www.spid.gov.it/openid-federation/agreement/sp-public/")
    p.add_argument("--request-object", default="", help="a request object (JWT) to check against the providers' schemas")
    p.set_defaults(func=validate_rp)

    p = sub.add_parser("manage", help="a Django management command for one member")
    p.add_argument("--role", required=True, choices=["ta", "spid", "cie"])
    p.add_argument("--data-dir", default=os.environ.get("FED_DATA_DIR"), required=not os.environ.get("FED_DATA_DIR"))
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=manage)

    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
