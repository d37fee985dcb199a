"""manage.py register_rp: registers a relying party at the trust anchor (FED_ROLE=ta).

    run.py register-rp --data-dir DIR --entity-id http://127.0.0.1:18080 \
        --jwks rp-federation-jwks.json [--trust-mark-id ID] [--name NAME]

Prints one JSON object: authority_hints and the trust_marks to publish in the RP's entity
configuration, and the URL of the subordinate statement the anchor now serves for it.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from harness.registration import RegistrationError, register_relying_party


class Command(BaseCommand):
    help = "Register a relying party as a subordinate of the trust anchor, with a trust mark."

    def add_arguments(self, parser):
        parser.add_argument("--entity-id", required=True, help="the RP's entity id (a URL)")
        parser.add_argument(
            "--jwks",
            required=True,
            help="the RP's federation JWK set: a file, or the JSON itself",
        )
        parser.add_argument(
            "--trust-mark-id",
            default=None,
            help="default: the federation's public RP trust mark id",
        )
        parser.add_argument("--name", default="")

    def handle(self, *args, **options):
        if settings.ROLE != "ta":
            raise CommandError("register_rp runs against the trust anchor (FED_ROLE=ta)")
        raw = options["jwks"]
        text = raw if raw.lstrip().startswith(("{", "[")) else Path(raw).read_text("utf-8")
        try:
            jwks = json.loads(text)
            result = register_relying_party(
                options["entity_id"],
                jwks,
                options["trust_mark_id"] or settings.FEDERATION["trust_mark_ids"]["rp_public"],
                options["name"],
            )
        except (ValueError, RegistrationError) as e:
            raise CommandError(str(e)) from e
        self.stdout.write(json.dumps(result, indent=2))
