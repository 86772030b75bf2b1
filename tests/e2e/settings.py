"""Production settings for the end-to-end servers, with static files from the apps.

Everything is production's (secrets, DEBUG off, secure cookies, WhiteNoise)
except where static files come from: ``collectstatic`` with compression takes
over half a minute here, so WhiteNoise serves them from the app directories,
as the test settings do. The collected, hashed files are built and checked by
the Dockerfile build.
"""

from config.settings.production import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Nothing is collected, so there is no directory for WhiteNoise to scan.
STATIC_ROOT = None  # type: ignore[assignment]
