"""Test settings: fast hashing, in-memory e-mail; DATABASE_URL/REDIS_URL as given."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import DATABASES

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

# On SQLite, test in a file, not in memory. Django's in-memory test database
# shares one cache between connections, where a table another thread holds
# is an immediate "database table is locked" instead of a wait: the worker's
# housekeeping thread beside its task loop failed that way under load. A
# file locks as production's does (WAL, IMMEDIATE, the busy timeout).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(
            tempfile.gettempdir(), f"inkwell-test-{os.getpid()}.sqlite3"
        )
    }
