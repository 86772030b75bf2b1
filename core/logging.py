"""Structured logging: structlog for our events, stdlib records rendered the same way.

Settings call :func:`logging_config` for ``LOGGING`` and :func:`configure_structlog`
once; every line then carries the request id bound by the request-id middleware.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer

_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_structlog() -> None:
    """Route structlog events through the stdlib handlers configured in LOGGING."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def logging_config(*, json: bool, level: str) -> dict[str, Any]:
    """Return a LOGGING dict: JSON lines when ``json``, readable lines otherwise."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    final_processors: list[Any] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta
    ]
    if json:
        # One JSON object per line, the traceback included as structured data,
        # without each frame's local variables: those hold passwords, tokens
        # and request bodies (structlog's dict_tracebacks shows them).
        final_processors.append(
            structlog.processors.ExceptionRenderer(
                ExceptionDictTransformer(show_locals=False)
            )
        )
    final_processors.append(renderer)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": final_processors,
                "foreign_pre_chain": [
                    *_SHARED_PROCESSORS,
                    structlog.stdlib.ExtraAdder(),
                ],
            },
        },
        "filters": {"once_per_minute": {"()": OncePerInterval, "interval": 60.0}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "structured"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Our middleware writes the one access line per request, and
            # core.exceptions logs each unhandled error once: silence the
            # duplicates Django would add.
            "django.request": {"level": "CRITICAL"},
            "django.server": {"level": "WARNING"},
            "django.db.backends": {"level": "INFO"},
            "django_redis": {"level": "WARNING"},
            "inkwell.cache": {"level": "WARNING", "filters": ["once_per_minute"]},
        },
    }


class OncePerInterval(logging.Filter):
    """Let one record through per interval, as a one-line warning.

    django-redis logs every call it ignores during a Redis outage with a full
    traceback; this turns a stream of those into one warning per outage
    (per ``interval`` seconds while it lasts).
    """

    def __init__(
        self, interval: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.interval = interval
        self.clock = clock
        self._last = float("-inf")
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            now = self.clock()
            if now - self._last < self.interval:
                return False
            self._last = now
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = (
                f"Cache unavailable, answering from the database: {record.exc_info[1]}"
            )
            record.args = ()
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def level_for_status(status: int) -> int:
    """Return the log level of an access line for a response status."""
    if status >= 500:
        return logging.ERROR
    if status >= 400:
        return logging.WARNING
    return logging.INFO
