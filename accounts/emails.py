"""The messages Inkwell e-mails to account holders, rendered from templates."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.verification import verification_token_make


def password_reset_message(user: User) -> EmailMessage:
    """Return the reset-link message for the user, with a fresh one-time token."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "user": user,
        "reset_url": settings.PASSWORD_RESET_URL.format(uid=uid, token=token),
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }
    return _message("accounts/password_reset", context, to=user.email)


def verification_message(user: User) -> EmailMessage:
    """Return the verification-link message for the user's current address."""
    token = verification_token_make(user=user)
    context = {
        "user": user,
        "verify_url": settings.EMAIL_VERIFICATION_URL.format(token=token),
        "valid_hours": settings.EMAIL_VERIFICATION_TIMEOUT // 3600,
    }
    return _message("accounts/email_verification", context, to=user.email)


def _message(template: str, context: dict[str, object], *, to: str) -> EmailMessage:
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}_email.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[to])
