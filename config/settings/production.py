"""Production settings: secrets required, DEBUG off, HTTPS enforced."""

from django.core.exceptions import ImproperlyConfigured

from core.logging import logging_config

from .base import *  # noqa: F403
from .base import LOG_LEVEL, REDIS_URL, SIMPLE_JWT, env

ENVIRONMENT = "production"
DEBUG = False
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=LOG_LEVEL)

# No defaults: a missing secret stops the process at start-up.
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
JWT_SIGNING_KEY = env("JWT_SIGNING_KEY")
# Scrapers present it as a bearer token; /metrics is closed without it.
METRICS_TOKEN = env("METRICS_TOKEN")

MIN_SECRET_LENGTH = 50
MIN_SECRET_UNIQUE_CHARACTERS = 5


def _require_real_secret(name: str, value: str) -> None:
    """Refuse placeholder or short secrets that a copy-paste could leave behind."""
    if (
        len(value) < MIN_SECRET_LENGTH
        or len(set(value)) < MIN_SECRET_UNIQUE_CHARACTERS
        or value.startswith("django-insecure")
    ):
        raise ImproperlyConfigured(
            f"{name} must be a random value of at least {MIN_SECRET_LENGTH} "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )


_require_real_secret("DJANGO_SECRET_KEY", SECRET_KEY)
_require_real_secret("JWT_SIGNING_KEY", JWT_SIGNING_KEY)
if len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 random characters.")
if JWT_SIGNING_KEY == SECRET_KEY:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must differ from DJANGO_SECRET_KEY.")
# With several processes a local-memory cache splits throttles, revocations
# and the response cache per process; only a single process may do without.
if not REDIS_URL and not env.bool("DJANGO_ALLOW_LOCAL_CACHE", default=False):
    raise ImproperlyConfigured(
        "REDIS_URL is required in production (DJANGO_ALLOW_LOCAL_CACHE=true "
        "allows a local-memory cache for a single-process deployment)."
    )
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the real host names.")
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": JWT_SIGNING_KEY}

# --- HTTPS ------------------------------------------------------------------

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^metrics/?$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
READ_YOUR_WRITES_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Behind a TLS-terminating proxy set e.g. "HTTP_X_FORWARDED_PROTO,https".
_proxy_ssl_header = env.tuple("DJANGO_SECURE_PROXY_SSL_HEADER", default=())
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header or None
