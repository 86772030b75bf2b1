"""Test settings: fast hashing, in-memory e-mail; DATABASE_URL/REDIS_URL as given."""

from .base import *  # noqa: F403

ENVIRONMENT = "test"
DEBUG = False
# Argon2 is deliberately slow; tests need thousands of hashes.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
