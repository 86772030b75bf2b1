"""The API's index pages: /api/ names the versions, /api/v1/ what v1 holds."""

from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.test import Client
from django.urls import resolve

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
BASE = "http://testserver"


@pytest.fixture
def client():
    return Client()


def test_the_v1_index_names_the_api_its_docs_and_entry_points(client):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    assert response.json() == {
        "name": "Inkwell API",
        "version": "v1",
        "docs": {
            "swagger_ui": f"{BASE}/api/docs/",
            "redoc": f"{BASE}/api/redoc/",
            "schema": f"{BASE}/api/schema/",
        },
        "links": {
            "posts": f"{BASE}/api/v1/posts/",
            "tags": f"{BASE}/api/v1/tags/",
            "me": f"{BASE}/api/v1/users/me/",
            "users": f"{BASE}/api/v1/users/",
            "audit": f"{BASE}/api/v1/audit/",
            "register": f"{BASE}/api/v1/auth/register/",
            "token": f"{BASE}/api/v1/auth/token/",
            "token_mfa": f"{BASE}/api/v1/auth/token/mfa/",
            "token_refresh": f"{BASE}/api/v1/auth/token/refresh/",
            "password_reset": f"{BASE}/api/v1/auth/password/reset/",
            "email_verify": f"{BASE}/api/v1/auth/email/verify/",
        },
    }


def test_every_link_of_the_index_is_a_route(client):
    body = client.get("/api/v1/").json()

    for url in [*body["docs"].values(), *body["links"].values()]:
        assert resolve(urlparse(url).path).url_name not in (None, ""), url


def test_the_index_builds_urls_from_the_request(client, settings):
    settings.ALLOWED_HOSTS = ["api.example"]

    response = client.get("/api/v1", HTTP_HOST="api.example", secure=True)

    assert response.status_code == 200
    assert response.json()["links"]["posts"] == "https://api.example/api/v1/posts/"


def test_the_api_root_names_its_versions(client):
    response = client.get("/api/")

    assert response.status_code == 200
    assert response.json() == {"versions": {"v1": f"{BASE}/api/v1/"}}


def test_the_index_ignores_a_stale_authorization_header(client):
    response = client.get("/api/v1/", HTTP_AUTHORIZATION="Bearer stale")

    assert response.status_code == 200
    assert response.json()["version"] == "v1"


def test_the_index_refuses_an_unknown_parameter(client):
    response = client.get("/api/v1/", {"verbose": "1"})

    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["code"] == "unknown_parameter"


def test_the_index_carries_the_headers_of_other_public_reads(client):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, no-cache"
    assert response["ETag"].startswith('"')


@pytest.mark.parametrize(
    ("path", "operation_id"), [("/api/", "api_versions"), ("/api/v1/", "api_index")]
)
def test_the_indexes_are_operations_of_the_schema(path, operation_id):
    schema = yaml.safe_load(SNAPSHOT.read_text())

    operation = schema["paths"][path]["get"]

    assert operation["operationId"] == operation_id
    assert operation["security"] == [{}]
