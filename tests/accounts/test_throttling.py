"""Throttles: failed logins, registration, password reset, anonymous and users."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from accounts.throttles import parse_rate
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.helpers import API, assert_error, bearer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_inside_one_window")]

TOKEN_URL = f"{API}/auth/token/"
WRONG = "not-the-password"


@pytest.fixture
def rates(settings):
    """Override some throttle rates for one test."""

    def override(**scopes: str) -> None:
        rest_framework = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **rest_framework,
            "DEFAULT_THROTTLE_RATES": {
                **rest_framework["DEFAULT_THROTTLE_RATES"],
                **scopes,
            },
        }

    return override


def log_in(client, email, password, ip="203.0.113.7", **headers):
    return client.post(
        TOKEN_URL, {"email": email, "password": password}, REMOTE_ADDR=ip, **headers
    )


# --- Rates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("5/15min", (5, 900)),
        ("50/15min", (50, 900)),
        ("300/min", (300, 60)),
        ("1000/minute", (1000, 60)),
        ("20/hour", (20, 3600)),
        ("3/2h", (3, 7200)),
        ("10/s", (10, 1)),
        ("100/day", (100, 86400)),
    ],
)
def test_rates_are_parsed_with_an_optional_multiplier(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "5", "five/min", "5/fortnight", "5/-1min"])
def test_malformed_rates_are_refused(rate):
    with pytest.raises(ValueError, match="Invalid throttle rate"):
        parse_rate(rate)


def test_the_configured_default_rates_all_parse(settings):
    for rate in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].values():
        assert parse_rate(rate)[0] > 0


# --- Failed logins ----------------------------------------------------------------


def test_sixth_failed_login_for_one_ip_and_email_is_throttled(api_client):
    UserFactory.create(email="ada@example.com")
    for _ in range(5):
        assert_error(
            log_in(api_client, "ada@example.com", WRONG), 401, "AUTHENTICATION_FAILED"
        )

    response = log_in(api_client, "ada@example.com", DEFAULT_PASSWORD)

    error = assert_error(response, 429, "THROTTLED")
    assert "throttled" in error["message"].lower()
    assert 1 <= int(response["Retry-After"]) <= 15 * 60


def test_another_email_from_the_same_ip_still_logs_in(api_client):
    UserFactory.create(email="ada@example.com")
    UserFactory.create(email="grace@example.com")
    for _ in range(6):
        log_in(api_client, "ada@example.com", WRONG)

    response = log_in(api_client, "grace@example.com", DEFAULT_PASSWORD)

    assert response.status_code == 200


def test_the_same_email_from_another_ip_still_logs_in(api_client):
    UserFactory.create(email="ada@example.com")
    for _ in range(6):
        log_in(api_client, "ada@example.com", WRONG)

    response = log_in(api_client, "ada@example.com", DEFAULT_PASSWORD, ip="192.0.2.1")

    assert response.status_code == 200


def test_a_successful_login_clears_the_failure_count(api_client):
    UserFactory.create(email="ada@example.com")
    for _ in range(4):
        log_in(api_client, "ada@example.com", WRONG)
    assert log_in(api_client, "ada@example.com", DEFAULT_PASSWORD).status_code == 200

    for _ in range(4):
        assert log_in(api_client, "ada@example.com", WRONG).status_code == 401
    response = log_in(api_client, "ada@example.com", DEFAULT_PASSWORD)

    assert response.status_code == 200


def test_failures_are_counted_whatever_the_email_letter_case(api_client):
    UserFactory.create(email="ada@example.com")
    for email in ["ada@example.com", "ADA@example.com", "Ada@Example.com"] * 2:
        log_in(api_client, email, WRONG)

    response = log_in(api_client, "ada@example.com", DEFAULT_PASSWORD)

    assert_error(response, 429, "THROTTLED")


def test_successful_logins_are_never_throttled_by_the_failure_limit(api_client):
    UserFactory.create(email="ada@example.com")

    statuses = {
        log_in(api_client, "ada@example.com", DEFAULT_PASSWORD).status_code
        for _ in range(8)
    }

    assert statuses == {200}


def test_failed_logins_from_one_ip_are_capped_across_emails(api_client, rates):
    rates(login_failures_pair="100/15min", login_failures_ip="3/15min")
    UserFactory.create(email="ada@example.com")
    for n in range(3):
        log_in(api_client, f"guess{n}@example.com", WRONG)

    response = log_in(api_client, "ada@example.com", DEFAULT_PASSWORD)

    assert_error(response, 429, "THROTTLED")


def test_the_failure_count_starts_again_in_the_next_window(api_client):
    UserFactory.create(email="ada@example.com")
    start = timezone.now()
    with freeze_time(start):
        for _ in range(5):
            log_in(api_client, "ada@example.com", WRONG)
        assert log_in(api_client, "ada@example.com", WRONG).status_code == 429

    with freeze_time(start + timedelta(minutes=15, seconds=1)):
        response = log_in(api_client, "ada@example.com", DEFAULT_PASSWORD)

    assert response.status_code == 200


def test_a_forged_x_forwarded_for_does_not_dodge_the_limit(api_client):
    UserFactory.create(email="ada@example.com")
    for n in range(5):
        log_in(api_client, "ada@example.com", WRONG, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    response = log_in(
        api_client, "ada@example.com", WRONG, HTTP_X_FORWARDED_FOR="10.9.9.9"
    )

    assert_error(response, 429, "THROTTLED")


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(
    api_client, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    UserFactory.create(email="ada@example.com")
    proxy = "10.0.0.1"
    for _ in range(5):
        log_in(
            api_client,
            "ada@example.com",
            WRONG,
            ip=proxy,
            HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.1",
        )

    other_client = log_in(
        api_client,
        "ada@example.com",
        DEFAULT_PASSWORD,
        ip=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    same_client = log_in(
        api_client,
        "ada@example.com",
        DEFAULT_PASSWORD,
        ip=proxy,
        HTTP_X_FORWARDED_FOR="anything, 198.51.100.1",
    )

    assert other_client.status_code == 200
    assert_error(same_client, 429, "THROTTLED")


# --- Registration and password reset ---------------------------------------------


def register(client, n, ip="203.0.113.7"):
    return client.post(
        f"{API}/auth/register/",
        {
            "email": f"new{n}@example.com",
            "password": "a-long-passphrase",
            "display_name": "New",
        },
        REMOTE_ADDR=ip,
    )


def test_registrations_are_limited_per_ip(api_client, rates):
    rates(register="2/hour")
    assert [register(api_client, n).status_code for n in range(2)] == [201, 201]

    throttled = register(api_client, 2)
    other_ip = register(api_client, 3, ip="192.0.2.1")

    assert_error(throttled, 429, "THROTTLED")
    assert 1 <= int(throttled["Retry-After"]) <= 3600
    assert other_ip.status_code == 201


def test_default_registration_rate_is_twenty_an_hour(api_client):
    statuses = [register(api_client, n).status_code for n in range(21)]

    assert statuses == [201] * 20 + [429]


def reset(client, email, ip="203.0.113.7"):
    return client.post(f"{API}/auth/password/reset/", {"email": email}, REMOTE_ADDR=ip)


def test_password_resets_are_limited_per_ip(api_client, rates):
    rates(password_reset="2/hour")
    reset(api_client, "a@example.com")
    reset(api_client, "b@example.com")

    response = reset(api_client, "c@example.com")

    assert_error(response, 429, "THROTTLED")


def test_password_resets_are_limited_per_email_across_ips(api_client, rates):
    rates(password_reset="2/hour")
    reset(api_client, "ada@example.com", ip="192.0.2.1")
    reset(api_client, "ADA@example.com", ip="192.0.2.2")

    response = reset(api_client, "ada@example.com", ip="192.0.2.3")
    other_email = reset(api_client, "grace@example.com", ip="192.0.2.4")

    assert_error(response, 429, "THROTTLED")
    assert other_email.status_code == 202


def test_default_password_reset_rate_is_five_an_hour(api_client):
    statuses = [reset(api_client, "ada@example.com").status_code for _ in range(6)]

    assert statuses == [202] * 5 + [429]


# --- Anonymous and user traffic ---------------------------------------------------


def test_anonymous_requests_are_limited_per_ip(api_client, rates):
    rates(anon="2/min")
    for _ in range(2):
        log_in(api_client, "x@example.com", WRONG, ip="198.51.100.9")

    response = log_in(api_client, "y@example.com", WRONG, ip="198.51.100.9")

    assert_error(response, 429, "THROTTLED")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_authenticated_requests_are_limited_per_user(api_client, login, rates):
    rates(user="2/min")
    first = bearer(api_client, login(UserFactory.create())["access"])
    for _ in range(2):
        assert first.get(f"{API}/users/me/").status_code == 200

    throttled = first.get(f"{API}/users/me/")
    other = bearer(api_client.__class__(), login(UserFactory.create())["access"])

    assert_error(throttled, 429, "THROTTLED")
    assert other.get(f"{API}/users/me/").status_code == 200


def test_authenticated_requests_do_not_count_against_the_anonymous_limit(
    api_client, login, rates
):
    pair = login(UserFactory.create())
    rates(anon="1/min", user="100/min")
    bearer(api_client, pair["access"])

    statuses = {api_client.get(f"{API}/users/me/").status_code for _ in range(3)}

    assert statuses == {200}


def test_anonymous_requests_do_not_count_against_the_user_limit(api_client, rates):
    rates(anon="100/min", user="1/min")

    statuses = {reset(api_client, f"u{n}@example.com").status_code for n in range(3)}

    assert statuses == {202}


def test_anonymous_reads_served_from_the_cache_are_not_counted(api_client, rates):
    rates(anon="2/min")
    stored = api_client.get(f"{API}/tags/")  # a miss: counted, and stored

    replayed = [api_client.get(f"{API}/tags/").status_code for _ in range(3)]
    uncached = api_client.get(f"{API}/tags/?page_size=7")  # a miss again

    assert stored.status_code == 200
    assert replayed == [200, 200, 200]
    assert uncached.status_code == 200  # the second counted request
    assert_error(api_client.get(f"{API}/tags/?page_size=8"), 429, "THROTTLED")


def test_member_reads_of_a_cached_page_are_counted(api_client, login, rates):
    pair = login(UserFactory.create())
    rates(user="2/min")
    api_client.__class__().get(f"{API}/posts/")  # an anonymous reader stores it
    member = bearer(api_client, pair["access"])

    statuses = [member.get(f"{API}/posts/").status_code for _ in range(2)]

    assert statuses == [200, 200]
    assert_error(member.get(f"{API}/posts/"), 429, "THROTTLED")
