"""Log filters."""

import io
import logging
import logging.config

import pytest
from django.test import Client

from accounts.models import User
from core.logging import OncePerInterval, logging_config
from tests.accounts.factories import UserFactory


def make_record() -> logging.LogRecord:
    try:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")
    except ConnectionError as exc:
        return logging.LogRecord(
            "inkwell.cache",
            logging.ERROR,
            __file__,
            1,
            "Exception ignored",
            (),
            (type(exc), exc, exc.__traceback__),
        )


def test_cache_outage_logs_one_line_warning_per_interval():
    log_filter = OncePerInterval(interval=60)

    passed = [
        record
        for record in (make_record() for _ in range(50))
        if log_filter.filter(record)
    ]

    assert len(passed) == 1
    record = passed[0]
    assert record.levelname == "WARNING"
    assert record.exc_info is None
    assert "Error 111" in record.getMessage()


def test_a_new_warning_after_the_interval():
    readings = iter([100.0, 130.0, 161.0])
    log_filter = OncePerInterval(interval=60, clock=lambda: next(readings))

    assert [log_filter.filter(make_record()) for _ in range(3)] == [True, False, True]


# --- No secrets in logs -------------------------------------------------------------

SUBMITTED_PASSWORD = "hunter2-correct-horse-staple"


@pytest.fixture
def production_logs(settings):
    """Configure the production (JSON) logging into a buffer; yield its reader."""
    buffer = io.StringIO()
    config = logging_config(json=True, level="INFO")
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    yield buffer.getvalue
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_a_500_inside_the_login_view_does_not_log_the_submitted_password(
    production_logs, monkeypatch
):
    UserFactory.create(email="ada@example.com")

    def broken_check(self, raw_password):
        raise RuntimeError("the hasher broke")

    monkeypatch.setattr(User, "check_password", broken_check)

    response = Client().post(
        "/api/v1/auth/token/",
        {"email": "ada@example.com", "password": SUBMITTED_PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 500
    written = production_logs()
    # The traceback is there, for whoever has to fix the bug...
    assert "RuntimeError" in written
    assert "broken_check" in written
    # ...but no frame's local variables, so not the password either.
    assert SUBMITTED_PASSWORD not in written
    assert '"locals"' not in written
