"""The trust anchor's one harness endpoint: POST /harness/register, for tests that would rather
not start a Python process to register their relying party."""

import json
import threading
import time

from django.db import OperationalError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .registration import RegistrationError, register_relying_party

# One registration at a time: the tests register their relying parties in parallel, and two
# SQLite transactions that both read before they write fail at once with "database is locked"
# (the busy timeout does not apply to a read lock that would have to be upgraded).
_REGISTERING = threading.Lock()


@csrf_exempt
@require_POST
def register(request):
    """Body: {"entity_id": URL, "jwks": {"keys": [...]}, "trust_mark_id": ID, "name": optional}.
    201 with what register_relying_party returns; 400 {"error", "error_description"}."""
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise RegistrationError("the body must be a JSON object")
        with _REGISTERING:
            for attempt in range(5):
                try:
                    result = register_relying_party(
                        body.get("entity_id", ""),
                        body.get("jwks"),
                        body.get("trust_mark_id", ""),
                        body.get("name", ""),
                    )
                    break
                except OperationalError:
                    # Another member of the process (a fetch, the admin) held the database.
                    if attempt == 4:
                        raise
                    time.sleep(0.2 * (attempt + 1))
    except (ValueError, RegistrationError) as e:
        return JsonResponse({"error": "invalid_request", "error_description": str(e)}, status=400)
    return JsonResponse(result, status=201)
