"""Deliver e-mail from tasks, telling a passing outage from a refusal."""

import smtplib

from django.core.mail import EmailMessage


class TransientMailError(Exception):
    """The mail server could not take the message now; trying later may work."""


def mail_deliver(message: EmailMessage) -> None:
    """Send one message; raise TransientMailError when a retry may succeed.

    Connection failures and 4xx replies are transient (RFC 5321 §4.2.1);
    a 5xx reply or refused recipients are permanent and raise as they are.
    """
    try:
        message.send()
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientMailError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        raise TransientMailError(str(exc) or type(exc).__name__) from exc
