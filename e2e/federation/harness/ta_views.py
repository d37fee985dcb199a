"""The trust anchor's one harness endpoint: POST /harness/register, for tests that would rather
not start a Python process to register their relying party."""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .registration import RegistrationError, register_relying_party


@csrf_exempt
@require_POST
def register(request):
    """Body: {"entity_id": URL, "jwks": {"keys": [...]}, "trust_mark_id": ID, "name": optional}.
    201 with what register_relying_party returns; 400 {"error", "error_description"}."""
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise RegistrationError("the body must be a JSON object")
        result = register_relying_party(
            body.get("entity_id", ""),
            body.get("jwks"),
            body.get("trust_mark_id", ""),
            body.get("name", ""),
        )
    except (ValueError, RegistrationError) as e:
        return JsonResponse({"error": "invalid_request", "error_description": str(e)}, status=400)
    return JsonResponse(result, status=201)
