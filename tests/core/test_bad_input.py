"""Input no client should send still gets a 4xx envelope, never a 500."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import token_pair_issue
from tests.accounts.helpers import API, assert_error, error_fields

pytestmark = pytest.mark.django_db

BEYOND_BIGINT = "99999999999999999999999"


def test_json_nested_beyond_the_parser_is_a_parse_error(client):
    deep = "[" * 100_000 + "]" * 100_000

    response = client.post(f"{API}/auth/token/", deep, content_type="application/json")

    error = assert_error(response, 400, "PARSE_ERROR")
    assert "nested too deeply" in error["message"]


def test_json_nested_within_reason_is_validated_as_usual(client):
    nested = '{"email": ' + "[" * 50 + "]" * 50 + ', "password": "x"}'

    response = client.post(
        f"{API}/auth/token/", nested, content_type="application/json"
    )

    assert error_fields(response) == {"email"}


@pytest.mark.parametrize("value", [BEYOND_BIGINT, "-" + BEYOND_BIGINT, "0"])
def test_an_author_id_out_of_range_is_a_validation_error(client, value):
    response = client.get(f"{API}/posts/", {"author": value})

    assert error_fields(response) == {"author"}


@pytest.mark.parametrize(
    "path",
    [
        f"posts/{BEYOND_BIGINT}/",
        f"posts/{BEYOND_BIGINT}/comments/",
        f"posts/1/comments/{BEYOND_BIGINT}/",
        f"tags/?page={BEYOND_BIGINT}",
    ],
)
def test_ids_and_pages_beyond_any_row_are_not_found(client, path):
    response = client.get(f"{API}/{path}")

    assert_error(response, 404, "NOT_FOUND")


def test_a_like_of_a_post_id_beyond_any_row_is_not_found(user_factory):
    access = token_pair_issue(user=user_factory.create())["access"]
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {access}")

    response = client.post(f"{API}/posts/{BEYOND_BIGINT}/like/")

    assert_error(response, 404, "NOT_FOUND")
