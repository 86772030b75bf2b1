"""One table of error codes: DRF views, plain Django views and the schema agree."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from core.envelope import ERRORS
from core.exceptions import _CODE_BY_EXCEPTION, EXCEPTION_CODES
from core.openapi import ERROR_RESPONSES
from tests.accounts.helpers import assert_error
from tests.core.urls import APPLICATION_ERRORS

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]

SCHEMA = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def expected_code(exception: Exception) -> str:
    return next(code for kind, code in EXCEPTION_CODES if isinstance(exception, kind))


def test_every_mapped_exception_kind_is_exercised_below():
    sampled = {type(exception) for exception in APPLICATION_ERRORS.values()}

    for kind, _ in EXCEPTION_CODES:
        assert any(issubclass(sample, kind) for sample in sampled), kind


@pytest.mark.parametrize("name", APPLICATION_ERRORS)
def test_drf_and_plain_django_views_answer_an_exception_alike(client, name):
    code = expected_code(APPLICATION_ERRORS[name])

    in_drf = client.get(f"/api/v1/_test/application-error/{name}/")
    in_django = client.get(f"/api/v1/_test/plain-error/{name}/")

    for response in (in_drf, in_django):
        assert_error(response, ERRORS[code], code)
    assert in_drf.json()["error"]["details"] == in_django.json()["error"]["details"]
    assert in_drf.get("Retry-After") == in_django.get("Retry-After")


@pytest.mark.parametrize(("exception_class", "code"), _CODE_BY_EXCEPTION)
def test_drf_exceptions_map_to_a_code_of_their_own_status(exception_class, code):
    assert ERRORS[code] == exception_class.status_code


def test_the_schema_documents_exactly_the_table_of_codes():
    schema = yaml.safe_load(SCHEMA.read_text())
    envelope = schema["components"]["schemas"]["ErrorEnvelope"]

    documented = envelope["properties"]["error"]["properties"]["code"]["enum"]

    assert documented == list(ERRORS)


def test_every_documented_error_status_has_a_code():
    assert {int(status) for status in ERROR_RESPONSES} <= set(ERRORS.values())


def test_the_readme_names_every_code_of_the_table():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()

    missing = [code for code in ERRORS if f"`{code}`" not in readme]

    assert missing == []
