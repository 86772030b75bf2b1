"""The production components are really in use when configured."""

import pytest
from django.core.cache import cache
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_come_from_the_pool_with_a_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (timeout,) = cursor.fetchone()

    assert connection.vendor == "postgresql"
    assert connection.pool is not None  # type: ignore[attr-defined]
    assert timeout == "5s"


@pytest.mark.redis
def test_cache_round_trips_through_redis():
    from django_redis import get_redis_connection

    cache.set("probe", {"n": 1}, timeout=30)

    assert cache.get("probe") == {"n": 1}
    assert get_redis_connection("default").ping() is True
    assert 0 < cache.ttl("probe") <= 30  # type: ignore[attr-defined]
