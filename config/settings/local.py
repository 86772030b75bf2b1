"""Development settings: the embedded default (SQLite, local-memory cache)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Serve static files straight from the apps, re-scanned on change.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
