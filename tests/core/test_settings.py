"""Settings switching on the environment, and production refusing to start unsafely.

Each case runs Django in a fresh interpreter, because settings are read once
per process.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SECRET = secrets.token_urlsafe(48)
JWT_KEY = secrets.token_urlsafe(48)

SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "options": db.get("OPTIONS", {}),
    "conn_max_age": db.get("CONN_MAX_AGE"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_options": settings.CACHES["default"].get("OPTIONS", {}),
    "caches": settings.CACHES,
    "debug": settings.DEBUG,
    "time_zone": settings.TIME_ZONE,
    "use_tz": settings.USE_TZ,
}))
"""


def run_python(
    code: str, settings_module: str, **env: str
) -> subprocess.CompletedProcess:
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "REDIS_", "JWT_", "DB_", "METRICS_", "RESPONSE_")
        )
    }
    clean_env.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def show_settings(settings_module: str = "config.settings.local", **env: str) -> dict:
    result = run_python(SHOW_SETTINGS, settings_module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default_is_sqlite_in_wal_immediate_mode_and_local_memory_cache():
    shown = show_settings()

    assert shown["engine"] == "django_prometheus.db.backends.sqlite3"
    assert shown["options"]["transaction_mode"] == "IMMEDIATE"
    assert shown["options"]["timeout"] == 20
    assert "journal_mode=WAL" in shown["options"]["init_command"]
    assert shown["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert shown["time_zone"] == "UTC"
    assert shown["use_tz"] is True


def test_database_url_selects_postgresql_with_a_pool_and_statement_timeout():
    shown = show_settings(
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/inkwell",
        DB_POOL_MAX_SIZE="12",
        DB_STATEMENT_TIMEOUT_MS="3000",
    )

    assert shown["engine"] == "core.db_backends.postgresql"
    assert shown["conn_max_age"] == 0
    assert shown["options"]["pool"] == {"min_size": 2, "max_size": 12, "timeout": 2.0}
    assert shown["options"]["options"] == "-c statement_timeout=3000"


def test_redis_url_selects_django_redis_with_short_timeouts():
    shown = show_settings(REDIS_URL="redis://127.0.0.1:6379/0")

    assert shown["cache"] == "django_prometheus.cache.backends.redis.RedisCache"
    assert 0 < shown["cache_options"]["SOCKET_CONNECT_TIMEOUT"] <= 1
    assert 0 < shown["cache_options"]["SOCKET_TIMEOUT"] <= 1
    assert shown["cache_options"]["IGNORE_EXCEPTIONS"] is True


def test_embedded_default_gives_responses_a_bounded_local_memory_cache_of_their_own():
    caches = show_settings()["caches"]

    responses = caches["responses"]
    assert responses["BACKEND"] == caches["default"]["BACKEND"]
    assert responses["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert responses["LOCATION"] != caches["default"]["LOCATION"]
    assert responses["OPTIONS"] == {"MAX_ENTRIES": 500}


def test_response_cache_max_entries_bounds_the_local_memory_cache():
    caches = show_settings(RESPONSE_CACHE_MAX_ENTRIES="42")["caches"]

    assert caches["responses"]["OPTIONS"] == {"MAX_ENTRIES": 42}


def test_redis_url_puts_responses_in_the_same_redis_under_their_own_prefix():
    caches = show_settings(REDIS_URL="redis://127.0.0.1:6379/0")["caches"]

    default, responses = caches["default"], caches["responses"]
    assert responses["BACKEND"] == default["BACKEND"]
    assert responses["LOCATION"] == "redis://127.0.0.1:6379/0"
    assert responses["OPTIONS"] == default["OPTIONS"]
    assert responses["KEY_PREFIX"] != default["KEY_PREFIX"]


def test_response_cache_redis_url_moves_responses_to_a_redis_of_their_own():
    caches = show_settings(
        REDIS_URL="redis://127.0.0.1:6379/0",
        RESPONSE_CACHE_REDIS_URL="redis://127.0.0.1:6380/0",
    )["caches"]

    assert caches["default"]["LOCATION"] == "redis://127.0.0.1:6379/0"
    assert caches["responses"]["LOCATION"] == "redis://127.0.0.1:6380/0"
    assert caches["responses"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": SECRET,
    "JWT_SIGNING_KEY": JWT_KEY,
    "DJANGO_ALLOWED_HOSTS": "api.example.com",
    "METRICS_TOKEN": secrets.token_urlsafe(32),
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_production_starts_with_real_secrets_and_debug_off():
    shown = show_settings(
        "config.settings.production", **PRODUCTION_ENV, DJANGO_DEBUG="true"
    )

    assert shown["debug"] is False


@pytest.mark.parametrize(
    ("missing_or_bad", "expected"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"JWT_SIGNING_KEY": None}, "JWT_SIGNING_KEY"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_SECRET_KEY": "django-insecure-" + "x" * 60}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "too-short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "ab" * 40}, "DJANGO_SECRET_KEY"),
        ({"JWT_SIGNING_KEY": SECRET}, "JWT_SIGNING_KEY must differ"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS"),
        ({"METRICS_TOKEN": None}, "METRICS_TOKEN"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN"),
    ],
)
def test_production_refuses_to_start_without_real_secrets(missing_or_bad, expected):
    env = {**PRODUCTION_ENV, **missing_or_bad}
    env = {key: value for key, value in env.items() if value is not None}

    result = run_python(SHOW_SETTINGS, "config.settings.production", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert expected in result.stderr


def test_production_passes_the_deploy_check():
    result = run_python(
        "from django.core.management import execute_from_command_line;"
        "execute_from_command_line("
        "['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        "config.settings.production",
        **PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
