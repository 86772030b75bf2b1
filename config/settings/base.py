"""Settings shared by every environment; the only place that reads the environment."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from corsheaders.defaults import default_headers
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.logging import configure_structlog, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is a convenience for development; real deployments set the
# environment itself. Variables already set always win over the file.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------

# Which settings module is in force; commands that load demo data refuse "production".
ENVIRONMENT = "development"

SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-dev-only-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # Django's admin with django-otp's login (core.admin_site.InkwellAdminSite).
    "core.apps.InkwellAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "django_otp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "django_prometheus",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "core",
    # After core, which puts its TOTP devices under audit (AUDITED_MODELS).
    "django_otp.plugins.otp_totp",
    "accounts",
    "posts",
]

MIDDLEWARE = [
    # Outermost: the request metrics time the whole stack (core.request_metrics).
    "core.request_metrics.RequestMetricsMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.access_log.AccessLogMiddleware",
    "core.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the response cache: its hits get the policy too, and its entries
    # never hold an older one.
    "core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Inside CORS and security headers (added to hits too), before sessions,
    # authentication and DRF (skipped on hits).
    "core.response_cache.PublicReadCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks an admin session verified once its login passed a TOTP code.
    "django_otp.middleware.OTPMiddleware",
    # Exposes the request to the audit trail (core.audit): the acting user
    # (DRF sets it on the request when it authenticates) and the API key.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The admin's messages live in its session. The default (a signed cookie,
# falling back to the session) builds a cookie signer on every request, the
# API's too, which never shows a message.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's own templates come first: they override the admin's.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Admin lives at a configurable path so it is not where every scanner looks.
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")

# --- Database ---------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent read-then-write
    # transactions wait for each other instead of failing with "database is
    # locked"; WAL lets readers proceed while one writer works.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # django-prometheus' wrapper of the same backend counts queries and errors.
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.sqlite3"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's native psycopg pool; a pool requires CONN_MAX_AGE = 0.
    # django-prometheus' instrumented backend behind a circuit breaker
    # (core.db_backends.postgresql).
    DATABASES["default"]["ENGINE"] = "core.db_backends.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=8),
            "timeout": env.float("DB_POOL_TIMEOUT_SECONDS", default=2.0),
        },
        "connect_timeout": env.int("DB_CONNECT_TIMEOUT_SECONDS", default=3),
        "options": "-c statement_timeout={}".format(
            env.int("DB_STATEMENT_TIMEOUT_MS", default=5000)
        ),
    }

# --- Read replicas -------------------------------------------------------------

# Streaming standbys of DATABASE_URL, comma-separated; empty: none, and no
# router or middleware is installed. Each becomes the alias replica_1,
# replica_2, ... with the primary's engine, pool and options. The reads of
# safe requests go to a usable replica (core.db_router); a writer reads the
# primary for READ_YOUR_WRITES_SECONDS (core.read_your_writes); each process
# checks its replicas every DATABASE_REPLICA_CHECK_SECONDS and skips one that
# is down or more than DATABASE_REPLICA_MAX_LAG_SECONDS behind
# (core.replica_health).
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float(
    "DATABASE_REPLICA_MAX_LAG_SECONDS", default=2.0
)
DATABASE_REPLICA_CHECK_SECONDS = env.float(
    "DATABASE_REPLICA_CHECK_SECONDS", default=2.0
)
READ_YOUR_WRITES_SECONDS = env.float("READ_YOUR_WRITES_SECONDS", default=5.0)
# Production sets it: the read-your-writes cookie then travels over HTTPS only.
READ_YOUR_WRITES_COOKIE_SECURE = False
DATABASE_REPLICAS: tuple[str, ...] = ()
for _index, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = env.db_url_config(_url)
    if (
        _replica["ENGINE"] != "django.db.backends.postgresql"
        or DATABASES["default"]["ENGINE"] != "core.db_backends.postgresql"
    ):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS takes PostgreSQL standbys of a PostgreSQL "
            "DATABASE_URL (postgres://...); SQLite has no replicas."
        )
    DATABASES[f"replica_{_index}"] = {
        **_replica,
        "ENGINE": DATABASES["default"]["ENGINE"],
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            **DATABASES["default"]["OPTIONS"],
            "pool": dict(DATABASES["default"]["OPTIONS"]["pool"]),
        },
        # Tests run on one database: a replica alias reads the primary's.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_REPLICAS += (f"replica_{_index}",)
if DATABASE_REPLICAS:
    if DATABASE_REPLICA_CHECK_SECONDS < 0.1 or DATABASE_REPLICA_MAX_LAG_SECONDS <= 0:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_CHECK_SECONDS must be at least 0.1 and "
            "DATABASE_REPLICA_MAX_LAG_SECONDS positive."
        )
    # The window must outlast the worst lag a usable replica can have: the
    # bound, plus what it may add until the next check.
    if READ_YOUR_WRITES_SECONDS < (
        DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS
    ):
        raise ImproperlyConfigured(
            "READ_YOUR_WRITES_SECONDS must be at least "
            "DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS."
        )
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
    # Outside the response cache, whose fills it sends to the primary, and
    # around everything that reads: it also answers again from the primary a
    # read whose replica failed.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("core.response_cache.PublicReadCacheMiddleware"),
        "core.db_router.ReadRoutingMiddleware",
    )

# After a failed connection, PostgreSQL connections are refused at once (503)
# for this long, so threads do not each wait the pool timeout; then one
# request probes.
DATABASE_CIRCUIT_OPEN_SECONDS = env.float("DATABASE_CIRCUIT_OPEN_SECONDS", default=1.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------


def _redis_cache(url: str, key_prefix: str) -> dict[str, Any]:
    """Return a django-redis cache at url whose outage makes every read a miss."""
    return {
        # django-redis, wrapped by django-prometheus to count hits and misses.
        "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            # Without both timeouts a hung Redis blocks every request.
            "SOCKET_CONNECT_TIMEOUT": env.float(
                "REDIS_CONNECT_TIMEOUT_SECONDS", default=0.25
            ),
            "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT_SECONDS", default=0.25),
            # The cache only speeds things up: when Redis is down every read
            # misses and the database answers.
            "IGNORE_EXCEPTIONS": True,
        },
    }


def _local_cache(location: str, **options: int) -> dict[str, Any]:
    """Return a per-process local-memory cache of its own (LRU past MAX_ENTRIES)."""
    # Django's own class: django-prometheus' locmem wrapper turns cached falsy
    # values into misses.
    cache: dict[str, Any] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": location,
    }
    if options:
        cache["OPTIONS"] = options
    return cache


REDIS_URL = env("REDIS_URL", default="")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="inkwell")
CACHES = {
    # Throttle counters, the user cache and anything else shared.
    "default": (
        _redis_cache(REDIS_URL, CACHE_KEY_PREFIX)
        if REDIS_URL
        else _local_cache("inkwell")
    ),
}
# An unreachable Redis is logged as one warning per outage (see
# core.logging.OncePerInterval), not a traceback per cache call.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "inkwell.cache"

# Anonymous GETs of these public reads are served from the cache
# (core.response_cache); writes invalidate them through a generation counter.
RESPONSE_CACHE_ENABLED = env.bool("RESPONSE_CACHE_ENABLED", default=True)
RESPONSE_CACHE_TTL_SECONDS = env.int("RESPONSE_CACHE_TTL_SECONDS", default=60)
# Each path (a regular expression) with the query parameters its view takes:
# they key an entry. A request with any other, or with one of them repeated,
# goes to the view (which refuses it) and is never stored.
# tests/core/test_response_cache_keys.py ties each list to the parameters
# docs/openapi.yaml documents for the operation.
RESPONSE_CACHE_PATHS: dict[str, tuple[str, ...]] = {
    r"/api/v1/posts/?": (
        "status",
        "slug",
        "author",
        "tag",
        "published_after",
        "published_before",
        "search",
        "ordering",
        "cursor",
        "page_size",
    ),
    r"/api/v1/posts/\d+/?": (),
    r"/api/v1/posts/slug/[^/]+/?": (),
    r"/api/v1/posts/\d+/comments/?": ("cursor", "page_size"),
    r"/api/v1/tags/?": ("page", "page_size"),
    r"/api/v1/?": (),
    r"/api/?": (),
}
# Reads whose answer differs between callers only by liked_by_me: an
# authenticated read of them builds on the public entry, overlays the caller's
# likes from one query, and on a miss stores the public page it made
# (core.response_cache.SharedPage, posts.views).
RESPONSE_CACHE_MEMBER_PATHS: tuple[str, ...] = (
    r"/api/v1/posts/?",
    r"/api/v1/posts/\d+/?",
    r"/api/v1/posts/slug/[^/]+/?",
)
# Answers a member's read of a stored page before DRF runs (authentication,
# throttle and liked_by_me as DRF would do them); empty: DRF always runs.
RESPONSE_CACHE_MEMBER_HIT = "posts.member_reads.member_page"
# Stored responses live in a cache alias of their own, so that however many
# of them clients cause, they never evict throttle counters or users from the
# default one. Empty RESPONSE_CACHE_REDIS_URL: the same Redis as REDIS_URL.
RESPONSE_CACHE_REDIS_URL = env("RESPONSE_CACHE_REDIS_URL", default="") or REDIS_URL
# Without Redis: at most this many entries per process, least recently used
# evicted first.
RESPONSE_CACHE_MAX_ENTRIES = env.int("RESPONSE_CACHE_MAX_ENTRIES", default=500)
# Larger responses are served but not stored. Without Redis the stored
# responses of one process so take at most MAX_ENTRIES x MAX_ENTRY_BYTES
# (500 x 256 KiB = 125 MiB by default).
RESPONSE_CACHE_MAX_ENTRY_BYTES = env.int(
    "RESPONSE_CACHE_MAX_ENTRY_BYTES", default=256 * 1024
)
# Each member's liked posts as a Redis set (posts.liked_sets): a member's
# read of a cached page takes its liked_by_me flags from one round trip.
# Sets expire after this long (a lost invalidation heals by then); a member
# with more likes than the cap is read from the database instead.
LIKED_SETS_TTL_SECONDS = env.int("LIKED_SETS_TTL_SECONDS", default=300)
LIKED_SETS_MAX_MEMBERS = env.int("LIKED_SETS_MAX_MEMBERS", default=10000)
CACHES["responses"] = (
    _redis_cache(RESPONSE_CACHE_REDIS_URL, f"{CACHE_KEY_PREFIX}-responses")
    if RESPONSE_CACHE_REDIS_URL
    else _local_cache("inkwell-responses", MAX_ENTRIES=RESPONSE_CACHE_MAX_ENTRIES)
)

# --- Authentication and passwords -------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]

PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# OWASP's recommended Argon2id parameters: 19 MiB, 2 iterations, 1 lane.
ARGON2_MEMORY_COST_KIB = env.int("ARGON2_MEMORY_COST_KIB", default=19456)
ARGON2_TIME_COST = env.int("ARGON2_TIME_COST", default=2)
ARGON2_PARALLELISM = env.int("ARGON2_PARALLELISM", default=1)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(
        minutes=env.int("JWT_ACCESS_MINUTES", default=10)
    ),
    "REFRESH_TOKEN_LIFETIME": timedelta(hours=env.int("JWT_REFRESH_HOURS", default=24)),
    # Rotation and the blacklist are done by accounts.tokens (one use per
    # refresh token, even under concurrency); last_login by accounts.services,
    # so the user cache sees it.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    # A key of its own, so rotating the Django secret does not log everyone
    # out and a leak of one does not forge the other.
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY + "-jwt"),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "LEEWAY": 0,
}

# Authentication reads the user (and its denied access tokens) from the cache
# for at most this long; every change through accounts.services rewrites the
# entry at once. At most 60: it bounds how long a change made while Redis was
# unreachable can go unseen once Redis answers again.
USER_CACHE_TTL_SECONDS = env.int("USER_CACHE_TTL_SECONDS", default=60)
if not 1 <= USER_CACHE_TTL_SECONDS <= 60:
    raise ImproperlyConfigured("USER_CACHE_TTL_SECONDS must be between 1 and 60.")

# Two-factor authentication (accounts.mfa): the issuer authenticator apps
# show next to the account, and how long the login's second step may wait.
OTP_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Inkwell")
# Failed codes are counted by accounts.login_failures, with passwords; django-otp's
# own per-device backoff would make a right code wait after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
MFA_CHALLENGE_SECONDS = env.int("MFA_CHALLENGE_SECONDS", default=300)
if not 30 <= MFA_CHALLENGE_SECONDS <= 900:
    raise ImproperlyConfigured("MFA_CHALLENGE_SECONDS must be between 30 and 900.")

# Password reset e-mails link here; {uid} and {token} are filled in.
PASSWORD_RESET_URL = env(
    "PASSWORD_RESET_URL",
    default="http://127.0.0.1:8000/reset-password?uid={uid}&token={token}",
)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=3600)

# E-mail verification: the links mailed at registration point here ({token}
# is filled in) and are valid this many seconds (accounts.verification).
EMAIL_VERIFICATION_URL = env(
    "EMAIL_VERIFICATION_URL",
    default="http://127.0.0.1:8000/verify-email?token={token}",
)
EMAIL_VERIFICATION_TIMEOUT = env.int(
    "EMAIL_VERIFICATION_TIMEOUT_SECONDS", default=2 * 24 * 3600
)

# --- E-mail -----------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Inkwell <no-reply@example.com>")

# --- Audit trail ---------------------------------------------------------------

# Models whose every change is kept (django-simple-history, core.audit):
# "app_label.ModelName" -> options of simple_history.register. Adding a model
# is one entry here, then `manage.py makemigrations`. A password field is
# never recorded, whatever the options; last_login is left out because logins
# are not edits (the access log has them) and would flood the table.
AUDITED_MODELS: dict[str, dict[str, Any]] = {
    "accounts.User": {"excluded_fields": ["password", "last_login"]},
    "posts.Post": {"m2m_fields": ["tags"]},
    "posts.Comment": {},
    "posts.Tag": {},
    # Creation and revocation of API keys; the secret's digest is never kept.
    "accounts.ApiKey": {"excluded_fields": ["secret_hash"]},
    # Two-factor enrolment and removal; the TOTP secret is never kept.
    "otp_totp.TOTPDevice": {"app": "accounts", "excluded_fields": ["key"]},
}
# History older than this many days is deleted by the prune-audit-history job;
# 0 keeps it forever. Set it to your retention policy (docs/operations.md).
AUDIT_KEEP_DAYS = env.int("AUDIT_KEEP_DAYS", default=0)

# --- Background tasks ---------------------------------------------------------

# Django's Tasks API (the django-tasks backport of Django 6's django.tasks).
# "database": the queue is a table in DATABASES["default"], so a task enqueued
# in a transaction exists exactly when that transaction commits; run workers
# with `manage.py worker`. "rq": a Redis queue (RQ) for deployments whose
# workers outgrow polling one database; tasks are handed to it after commit.
TASKS_BACKEND = env("TASKS_BACKEND", default="database")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    RQ_QUEUES = {
        "default": {
            "URL": env("TASKS_REDIS_URL", default="") or REDIS_URL,
            "DEFAULT_TIMEOUT": env.int("TASKS_TIMEOUT_SECONDS", default=300),
        }
    }
    if not RQ_QUEUES["default"]["URL"]:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs TASKS_REDIS_URL/REDIS_URL.")
else:
    raise ImproperlyConfigured('TASKS_BACKEND must be "database" or "rq".')

# A worker writes a heartbeat this often; one silent for WORKER_LOST_AFTER
# seconds is presumed dead, and the task it was running is run again (at most
# TASK_MAX_CLAIMS runs in all) or recorded as failed.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=10)
WORKER_LOST_AFTER_SECONDS = env.int("WORKER_LOST_AFTER_SECONDS", default=60)
TASK_MAX_CLAIMS = env.int("TASK_MAX_CLAIMS", default=3)
if WORKER_LOST_AFTER_SECONDS < 3 * WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "WORKER_LOST_AFTER_SECONDS must be at least 3 x WORKER_HEARTBEAT_SECONDS."
    )
# 0 turns the worker's own Prometheus endpoint off.
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
WORKER_METRICS_ADDR = env("WORKER_METRICS_ADDR", default="127.0.0.1")
# Finished task results (not failures, which wait for staff) kept this long.
TASK_RESULTS_KEEP_DAYS = env.int("TASK_RESULTS_KEEP_DAYS", default=7)

# Periodic jobs: name -> task path and a cron expression (UTC). The scheduler
# inside every worker enqueues each due run once, whatever the worker count.
TASK_SCHEDULE = {
    "flush-denied-tokens": {
        "task": "accounts.tasks.flush_denied_tokens",
        "cron": "17 * * * *",
    },
    "flush-expired-refresh-tokens": {
        "task": "accounts.tasks.flush_expired_refresh_tokens",
        "cron": "23 3 * * *",
    },
    "flush-login-failures": {
        "task": "accounts.tasks.flush_login_failures",
        "cron": "37 * * * *",
    },
    "prune-task-results": {
        "task": "core.tasks.prune_task_results",
        "cron": "47 3 * * *",
    },
    "prune-audit-history": {
        "task": "core.tasks.prune_audit_history",
        "cron": "53 3 * * *",
    },
}

# --- Django REST framework ---------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so a refused request's WWW-Authenticate names Bearer; it
        # leaves "Api-Key <key>" headers to the second.
        "accounts.authentication.CachedUserJWTAuthentication",
        "accounts.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only: ?format= is no switch, just an unknown parameter (a 400).
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    # OPTIONS answers 405: the OpenAPI schema documents the API, and CORS
    # preflights are answered by django-cors-headers before any view.
    "DEFAULT_METADATA_CLASS": None,
    # 0 means "use REMOTE_ADDR" (None would make DRF trust a client-written
    # X-Forwarded-For). Read by DRF's BaseThrottle.get_ident, for throttles
    # and the failed-login count alike (accounts.throttles.client_ip).
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
    # Fixed-window counters; exactly one of the two applies to a request.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttles.AnonRateThrottle",
        "accounts.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="300/min"),
        "user": env("THROTTLE_USER", default="1000/min"),
        "register": env("THROTTLE_REGISTER", default="20/hour"),
        "password_reset": env("THROTTLE_PASSWORD_RESET", default="5/hour"),
        "email_verification": env("THROTTLE_EMAIL_VERIFICATION", default="3/hour"),
        "login_failures_pair": env("THROTTLE_LOGIN_FAILURES_PAIR", default="5/15min"),
        "login_failures_ip": env("THROTTLE_LOGIN_FAILURES_IP", default="50/15min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Inkwell API",
    "DESCRIPTION": "Publishing platform: accounts with roles; posts, comments, "
    "tags and likes.\n\n"
    "Query parameters: each operation takes exactly the query parameters it "
    "documents, each at most once. Any other is a 400 VALIDATION_ERROR whose "
    "`details` name it (`code`: `unknown_parameter`, the `message` lists the "
    "parameters the operation takes), and one given twice is a 400 "
    "(`repeated_parameter`). The check follows authentication, permissions "
    "and throttling (a 401, a 403 or a 429 comes first) and precedes any "
    "lookup (404) or body validation.\n\n"
    "Pagination: posts and comments are cursor pages (`cursor`, `page_size`), "
    "tags, users, API keys and the audit trail numbered pages with a count "
    "(`page`, `page_size`); `page_size` is at most 100. Each page names its "
    "neighbours in `next` and `previous` and in an RFC 8288 `Link` header.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Setting hooks replaces the defaults: keep the enum post-processing.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_error_responses",
        "core.openapi.add_link_headers",
        "core.openapi.allow_blank_alternatives",
    ],
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    # Pin enum component names so an unrelated field cannot rename them.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role",
        "PostStatusEnum": "posts.choices.PostStatus",
    },
}

# --- CORS -------------------------------------------------------------------

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
if DATABASE_REPLICAS:
    # Cross-origin clients keep no cookie here: they read the read-your-writes
    # header from a write's answer and send it back (core.read_your_writes).
    CORS_ALLOW_HEADERS = (*default_headers, "x-read-your-writes-until")
    CORS_EXPOSE_HEADERS = ["X-Read-Your-Writes-Until"]

# --- Content-Security-Policy --------------------------------------------------

# HTML pages: the admin as it is; the API docs widen it per view
# (core.api_docs). Nothing inline, nothing from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Everything else (JSON, the schema, probes, metrics, static files) is data:
# nothing in it may run, load or be framed (core.csp).
CONTENT_SECURITY_POLICY_NOT_HTML = {
    "default-src": [NONE],
    "frame-ancestors": [NONE],
}

# --- Request limits ----------------------------------------------------------

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BODY_BYTES", default=1_048_576)

# --- Internationalisation and time -------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Logging ----------------------------------------------------------------

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
# "json" for one JSON object per line (production), "console" for people.
LOG_FORMAT = env("LOG_FORMAT", default="console")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=LOG_LEVEL)
configure_structlog()

# --- Metrics ----------------------------------------------------------------

# When set, /metrics answers only "Authorization: Bearer <token>".
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Fine enough around 200 ms to answer "is p95 under the target?".
PROMETHEUS_LATENCY_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5,
    0.75, 1.0, 2.5, 5.0, 10.0, float("inf"),
)  # fmt: skip
PROMETHEUS_EXPORT_MIGRATIONS = False  # it would query the database at start-up

# --- API documentation --------------------------------------------------------

# When false, the schema and the Swagger/Redoc pages need an admin session.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=True)
if not API_DOCS_PUBLIC:
    SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = [
        "rest_framework.permissions.IsAdminUser"
    ]
    SPECTACULAR_SETTINGS["SERVE_AUTHENTICATION"] = [
        "rest_framework.authentication.SessionAuthentication"
    ]

# --- Error reporting ------------------------------------------------------------

SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
        # Frame locals hold passwords and tokens under any name (a
        # validator's "value"); Sentry's key-based scrubbing cannot see that.
        include_local_variables=False,
    )
