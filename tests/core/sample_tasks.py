"""Tasks that exist only for the tests: each fails or waits in a known way."""

import smtplib
import time
from pathlib import Path

from django.core.mail import EmailMessage
from django_tasks import task

from core.background import retrying_task
from core.mail import TransientMailError, mail_deliver


@task
def record(*, marker: str, text: str) -> str:
    """Write text to the marker file."""
    Path(marker).write_text(text)
    return text


@task
def crash(*, reason: str) -> None:
    """Fail with a permanent error."""
    raise ValueError(reason)


@retrying_task(retry_on=(TransientMailError,), attempts=3, base_delay=10)
def mail_once(*, to: str) -> str:
    """Send one message through the configured mail backend."""
    mail_deliver(EmailMessage(subject="Hello", body="Hello.", to=[to]))
    return "sent"


@retrying_task(retry_on=(smtplib.SMTPException,), attempts=2)
def always_transient() -> None:
    """Fail with an error the task retries."""
    raise smtplib.SMTPServerDisconnected("gone")


@task
def long_run(*, marker: str, seconds: float) -> str:
    """Mark the start, wait, mark the end; a re-run after a kill finishes at once."""
    path = Path(marker)
    if path.exists():
        path.write_text("finished on a later run")
        return "rerun"
    path.write_text("started")
    time.sleep(seconds)
    path.write_text("finished")
    return "finished"
