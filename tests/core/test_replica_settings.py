"""DATABASE_REPLICA_URLS: replica aliases, the router and its middleware, or nothing."""

import json

from tests.core.test_settings import run_python

PRIMARY = "postgres://u:p@127.0.0.1:5432/inkwell"
SHOW_REPLICAS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "databases": settings.DATABASES,
    "replicas": settings.DATABASE_REPLICAS,
    "routers": settings.DATABASE_ROUTERS,
    "middleware": settings.MIDDLEWARE,
}, default=str))
"""


def show(**env: str) -> dict:
    result = run_python(SHOW_REPLICAS, "config.settings.test", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_no_replica_urls_install_no_router_and_no_middleware():
    shown = show(DATABASE_URL=PRIMARY)

    assert list(shown["databases"]) == ["default"]
    assert shown["replicas"] == []
    assert shown["routers"] == []
    assert "core.db_router.ReadRoutingMiddleware" not in shown["middleware"]


def test_each_replica_url_is_an_alias_with_the_primarys_engine_pool_and_options():
    shown = show(
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URLS="postgres://r@10.0.0.2/inkwell,postgres://r@10.0.0.3/inkwell",
        DB_POOL_MAX_SIZE="12",
    )

    primary = shown["databases"]["default"]
    assert shown["replicas"] == ["replica_1", "replica_2"]
    for alias, host in (("replica_1", "10.0.0.2"), ("replica_2", "10.0.0.3")):
        replica = shown["databases"][alias]
        assert replica["HOST"] == host
        assert replica["ENGINE"] == primary["ENGINE"] == "core.db_backends.postgresql"
        assert replica["OPTIONS"] == primary["OPTIONS"]
        assert replica["OPTIONS"]["pool"]["max_size"] == 12
        assert replica["CONN_MAX_AGE"] == 0
        assert replica["TEST"]["MIRROR"] == "default"
    assert shown["routers"] == ["core.db_router.ReplicaRouter"]


def test_the_routing_middleware_sits_just_outside_the_response_cache():
    middleware = show(
        DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS="postgres://r@10.0.0.2/inkwell"
    )["middleware"]

    routing = middleware.index("core.db_router.ReadRoutingMiddleware")
    assert middleware[routing + 1] == "core.response_cache.PublicReadCacheMiddleware"


def test_a_sqlite_replica_is_refused_at_start():
    result = run_python(
        SHOW_REPLICAS,
        "config.settings.test",
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URLS="sqlite:///replica.sqlite3",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SQLite has no replicas" in result.stderr


def test_replicas_of_a_sqlite_primary_are_refused_at_start():
    result = run_python(
        SHOW_REPLICAS,
        "config.settings.test",
        DATABASE_REPLICA_URLS="postgres://r@10.0.0.2/inkwell",
    )

    assert result.returncode != 0
    assert "SQLite has no replicas" in result.stderr


def test_a_window_shorter_than_the_lag_a_replica_may_reach_is_refused():
    result = run_python(
        SHOW_REPLICAS,
        "config.settings.test",
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URLS="postgres://r@10.0.0.2/inkwell",
        DATABASE_REPLICA_MAX_LAG_SECONDS="2",
        DATABASE_REPLICA_CHECK_SECONDS="2",
        READ_YOUR_WRITES_SECONDS="3",
    )

    assert result.returncode != 0
    assert "READ_YOUR_WRITES_SECONDS must be at least" in result.stderr


def test_a_check_interval_too_short_to_spare_the_replicas_is_refused():
    result = run_python(
        SHOW_REPLICAS,
        "config.settings.test",
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URLS="postgres://r@10.0.0.2/inkwell",
        DATABASE_REPLICA_CHECK_SECONDS="0",
    )

    assert result.returncode != 0
    assert "DATABASE_REPLICA_CHECK_SECONDS must be at least 0.1" in result.stderr
