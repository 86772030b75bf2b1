"""OpenAPI additions: the error envelope, Link headers on pages, text constraints."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from core.envelope import ERRORS
from core.pagination import LINK_HEADER_SCHEMA

# DRF refuses NUL in every CharField, and a required CharField that trims
# whitespace refuses input that is only whitespace. Said as patterns, so
# clients (and contract fuzzers) know what is valid.
NO_NUL = "^[^\\u0000]*$"
# What str.strip() removes, so what DRF trims: not a regex's \s, which lacks
# U+001C-U+001F and U+0085 and adds U+FEFF (tests/core/test_openapi.py).
PYTHON_WHITESPACE = (
    "\\t\\n\\u000b\\f\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
NOT_BLANK = f"^[^\\u0000]*[^\\u0000{PYTHON_WHITESPACE}][^\\u0000]*$"

# Built from the one table of codes, so the schema cannot list another set.
ERROR_CODES = list(ERRORS)

ERROR_ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The body of every 4xx and 5xx response under /api/.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details", "request_id"],
            "properties": {
                "code": {"type": "string", "enum": ERROR_CODES},
                "message": {"type": "string"},
                "details": {
                    "type": "array",
                    "description": "One entry per invalid field; nested fields "
                    "use dotted paths such as `tags.3`. A refused credential (401) "
                    "has one entry whose `code` says why (for a token: `expired`, "
                    "`malformed`, `bad_signature`, `wrong_token_type`, `revoked`, "
                    "`denied`, `family_revoked`, `spent`, `user_inactive`, …) and "
                    "whose `field` is the body field it came in (`refresh`), or "
                    "null for the Authorization header.",
                    "items": {
                        "type": "object",
                        "required": ["field", "code", "message"],
                        "properties": {
                            "field": {"type": "string", "nullable": True},
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
                "request_id": {
                    "type": "string",
                    "description": "Equal to the X-Request-ID response header.",
                },
            },
        }
    },
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer"},
    }
}

# status: (description, extra headers, applies to body-carrying methods only)
ERROR_RESPONSES: dict[str, tuple[str, dict[str, Any], bool]] = {
    "400": ("Invalid input or malformed JSON.", {}, False),
    "401": (
        "No credentials (NOT_AUTHENTICATED); an expired access token "
        "(TOKEN_EXPIRED: refresh it and retry); any other refused token "
        "(TOKEN_INVALID: log in again, or fix the Authorization header); a wrong "
        "password or API key (AUTHENTICATION_FAILED). `details[0].code` says why.",
        {},
        False,
    ),
    "403": (
        "Authenticated, but the role does not allow this (PERMISSION_DENIED), "
        "or the e-mail address is not verified yet (EMAIL_NOT_VERIFIED).",
        {},
        False,
    ),
    "404": ("No such resource, or not visible to the caller.", {}, False),
    "406": ("The Accept header excludes application/json.", {}, False),
    "409": ("The request clashes with the current state.", {}, True),
    "413": ("The request body is too large.", {}, True),
    "415": ("The request body is not sent as application/json.", {}, True),
    "429": ("Too many requests.", _RETRY_AFTER, False),
    "500": ("Unexpected error; the request id identifies it in the logs.", {}, False),
    "503": (
        "The database is unavailable or overloaded.",
        _RETRY_AFTER,
        False,
    ),
}

_BODY_METHODS = {"post", "put", "patch"}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Document the envelope for every error an operation can answer with.

    A drf-spectacular postprocessing hook. Responses an operation declares
    itself (e.g. 409 with its own description) are kept.
    """
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["ErrorEnvelope"] = ERROR_ENVELOPE_SCHEMA
    responses = components.setdefault("responses", {})
    for status, (description, headers, _) in ERROR_RESPONSES.items():
        response: dict[str, Any] = {
            "description": description,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}
                }
            },
        }
        if headers:
            response["headers"] = headers
        responses[f"Error{status}"] = response

    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in _BODY_METHODS | {"get", "delete", "head", "options"}:
                continue
            declared = operation.setdefault("responses", {})
            _attach_envelope_to_declared_errors(declared)
            for status, (_, _, body_only) in ERROR_RESPONSES.items():
                if body_only and method not in _BODY_METHODS:
                    continue
                declared.setdefault(
                    status, {"$ref": f"#/components/responses/Error{status}"}
                )
    return result


# drf-spectacular's name for the body of a paginated list.
_PAGE_COMPONENT_PREFIX = "#/components/schemas/Paginated"


def add_link_headers(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Document the ``Link`` header on the 200 of every paginated list."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            ok = operation.get("responses", {}).get("200", {})
            schema = ok.get("content", {}).get("application/json", {}).get("schema")
            if schema and schema.get("$ref", "").startswith(_PAGE_COMPONENT_PREFIX):
                ok.setdefault("headers", {})["Link"] = LINK_HEADER_SCHEMA
    return result


def allow_blank_alternatives(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Turn ``oneOf: [string, blank string]`` into ``anyOf``.

    drf-spectacular says "this, or an empty string" for fields that may be
    blank with ``oneOf``; an empty string can match both branches, which
    ``oneOf`` forbids, so the schema would reject a value the API accepts.
    """
    for component in result.get("components", {}).get("schemas", {}).values():
        for prop in component.get("properties", {}).values():
            branches = prop.get("oneOf")
            if branches and {"type": "string", "maxLength": 0} in branches:
                prop["anyOf"] = prop.pop("oneOf")
    return result


def _attach_envelope_to_declared_errors(declared: dict[str, Any]) -> None:
    """Give error responses a view declared by description only the envelope body."""
    for status, response in declared.items():
        if status.isdigit() and int(status) >= 400 and "$ref" not in response:
            response.setdefault(
                "content",
                {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}
                    }
                },
            )


class TextFieldConstraints(OpenApiSerializerFieldExtension):
    """Document what a CharField accepts beyond its length: a ``pattern``.

    A field class may say more with a ``schema_pattern`` attribute.
    """

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        schema = auto_schema._map_serializer_field(
            self.target, direction, bypass_extensions=True
        )
        if direction == "request" and "pattern" not in schema and "enum" not in schema:
            schema["pattern"] = text_pattern(self.target)
        return schema


def text_pattern(field: serializers.CharField) -> str:
    """Return the regular expression that input to ``field`` must match."""
    declared = getattr(field, "schema_pattern", None)
    if declared:
        return declared
    if not field.allow_blank and field.trim_whitespace:
        return NOT_BLANK
    return NO_NUL
