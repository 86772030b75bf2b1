"""Log filters."""

import logging

from core.logging import OncePerInterval


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
