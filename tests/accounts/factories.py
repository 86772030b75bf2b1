"""Factories for accounts models."""

import factory
from django.utils import timezone

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
