"""The OpenAPI schema: valid, complete, documented errors, and pinned by a snapshot."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from openapi_spec_validator import validate

from core.openapi import ERROR_RESPONSES

PROJECT_DIR = Path(__file__).resolve().parents[2]
SNAPSHOT = PROJECT_DIR / "docs" / "openapi.yaml"


@pytest.fixture(scope="module")
def schema_text(django_db_blocker) -> str:
    with django_db_blocker.unblock():
        output = PROJECT_DIR / ".pytest-schema.yaml"
        try:
            # --fail-on-warn turns any drf-spectacular warning into a failure.
            call_command(
                "spectacular", "--validate", "--fail-on-warn", "--file", str(output)
            )
            return output.read_text()
        finally:
            output.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def schema(schema_text) -> dict:
    return yaml.safe_load(schema_text)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_schema_is_a_valid_openapi_document(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_every_operation_documents_its_errors_with_the_envelope(schema):
    assert len(list(operations(schema))) > 0
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert any(code.startswith("2") for code in responses), (path, method)
        for status in ("401", "429", "500", "503"):
            assert responses[status] == {
                "$ref": f"#/components/responses/Error{status}"
            }, (path, method, status)
        for status, response in responses.items():
            if int(status) >= 400 and "$ref" not in response:
                schema_ref = response["content"]["application/json"]["schema"]
                assert schema_ref == {"$ref": "#/components/schemas/ErrorEnvelope"}


def test_error_responses_share_one_envelope_component(schema):
    responses = schema["components"]["responses"]

    assert set(responses) >= {f"Error{status}" for status in ERROR_RESPONSES}
    envelope = schema["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["properties"]["error"]["required"] == [
        "code",
        "message",
        "details",
        "request_id",
    ]
    assert "Retry-After" in responses["Error429"]["headers"]


def test_bearer_authentication_is_declared(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def test_api_key_authentication_is_declared_next_to_bearer(schema):
    schemes = schema["components"]["securitySchemes"]
    me = schema["paths"]["/api/v1/users/me/"]["get"]

    assert schemes["ApiKeyAuth"]["type"] == "apiKey"
    assert schemes["ApiKeyAuth"]["in"] == "header"
    assert schemes["ApiKeyAuth"]["name"] == "Authorization"
    assert "Api-Key ink_" in schemes["ApiKeyAuth"]["description"]
    assert me["security"] == [{"jwtAuth": []}, {"ApiKeyAuth": []}]


def test_schema_matches_the_committed_snapshot(schema_text):
    """An intended API change regenerates docs/openapi.yaml (make schema)."""
    assert SNAPSHOT.read_text() == schema_text


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_assets_from_this_server_only(path):
    response = Client().get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "http://" not in html
    assert "https://" not in html
    assert "//cdn" not in html


@pytest.mark.django_db
def test_schema_endpoint_serves_the_same_document():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")

    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["title"] == "Inkwell API"


def test_the_not_blank_pattern_refuses_exactly_what_drf_trims_to_nothing():
    import re

    from core.openapi import NOT_BLANK

    pattern = re.compile(NOT_BLANK)
    refused = {
        code
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF and pattern.fullmatch(chr(code)) is None
    }

    blank_after_trim = {
        code for code in range(0x110000) if chr(code).strip() == "" or code == 0
    }
    assert refused == blank_after_trim
