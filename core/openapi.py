"""The OpenAPI schema's error answers: every operation documents 400, 401, 403, 404 and 429.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds them where a view has
not described its own, with two shared components shaped as core.api.exception_handler and DRF answer.
"""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "description": "A refusal: `detail` says why, in the caller's language; `code` names it where the service did.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "Bad input: each key names a field (nested fields as nested objects, list items by index) with its "
        'messages; `non_field_errors` for the input as a whole; `code` for a service rule (e.g. "negative"); '
        "`detail` may carry the rules that refused it."
    ),
    "properties": {
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
        "code": {"type": "string"},
    },
    "additionalProperties": True,
}

RESPONSES: dict[str, tuple[str, str]] = {
    "400": ("ValidationError", "Bad input; nothing was saved. The body names each field at fault."),
    "401": ("Error", "No valid credentials (session or an unexpired API token)."),
    "403": ("Error", "Not allowed for this caller's role, or not in the document's current state."),
    "404": (
        "Error",
        "No such object, or one the caller may not see: both answer the same, so an id tells nothing.",
    ),
    "429": ("Error", "Too many requests (throttled or locked out); the Retry-After header says when to try again."),
}


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """Postprocessing hook: the shared error components, referenced by every operation that lacks its own."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR)
    components.setdefault("ValidationError", VALIDATION_ERROR)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, (component, description) in RESPONSES.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                    },
                )
    return result
