"""Factories for accounts models."""

import time

import factory
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User

DEFAULT_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Faker("name")
    role = Role.READER
    password = factory.django.Password(DEFAULT_PASSWORD)
    # Verified by default; pass email_verified_at=None for a fresh sign-up.
    email_verified_at = factory.LazyFunction(timezone.now)


def totp_device_for(user: User) -> TOTPDevice:
    """Give the user a confirmed TOTP device (as a finished enrolment leaves it)."""
    return TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def totp_code(device: TOTPDevice, *, steps_ahead: int | None = None) -> str:
    """Return a code the device accepts now, as an authenticator app computes it.

    A step's code works once (``last_t``), so by default this is the code
    of the first step not used yet: the current one, or the next one (which
    django-otp's tolerance of one step accepts) when the current one has
    been used by an earlier login in this 30-second window.
    """
    device.refresh_from_db()
    if steps_ahead is None:
        now = int((time.time() - device.t0) // device.step)
        steps_ahead = max(0, device.last_t + 1 - now)
    code = totp(device.bin_key, step=device.step, t0=device.t0, drift=steps_ahead)
    return f"{code:0{device.digits}d}"
