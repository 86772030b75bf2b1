"""Background tasks of accounts: e-mail to account holders, token housekeeping.

Task arguments are ids and addresses only: tokens are made when the task
runs, so nothing secret sits in the queue or in a failure record.
"""

from django.core.management import call_command
from django_tasks import task

from accounts.emails import password_reset_message, verification_message
from accounts.login_failures import login_failures_flush
from accounts.models import User
from accounts.tokens import denied_access_tokens_flush
from core.background import retrying_task
from core.mail import TransientMailError, mail_deliver

# Six attempts, waits of 30-60 s, 1-2, 2-4, 4-8 and 8-16 min: a mail server
# may be away for a quarter of an hour before a message fails for good.
mail_task = retrying_task(retry_on=(TransientMailError,), attempts=6, base_delay=60.0)


@mail_task
def send_password_reset_email(*, email: str) -> str:
    """E-mail a reset link if an active account uses the address."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return "no active account"
    mail_deliver(password_reset_message(user))
    return "sent"


@mail_task
def send_verification_email(*, user_id: int) -> str:
    """E-mail a verification link if the account is active and still unverified."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "no active account"
    if user.is_email_verified:
        return "already verified"
    mail_deliver(verification_message(user))
    return "sent"


@task
def flush_denied_tokens() -> int:
    """Delete access-token denials and family revocations that have expired."""
    return denied_access_tokens_flush()


@task
def flush_expired_refresh_tokens() -> None:
    """Delete expired outstanding refresh tokens (and their blacklist rows)."""
    call_command("flushexpiredtokens")


@task
def flush_login_failures() -> int:
    """Delete failed-login counters whose window has ended."""
    return login_failures_flush()
