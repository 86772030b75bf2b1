"""Which posts a member likes, kept per member as a Redis set beside the page cache.

A member's read of a cached page (core.response_cache) differs from the
anonymous page only by ``liked_by_me``. With Redis, the flags of a page are
one ``SMISMEMBER`` on the member's set, which also asks about the set's
markers (below), so one reply says whether the set exists; without Redis
(or while it is unreachable, or for a member with more than
``LIKED_SETS_MAX_MEMBERS`` likes) they are one query
on the (user, post) index, as before.

Exactness: the database is the truth and a set is only a copy of it.

- A like or an unlike calls :func:`liked_set_forget` (on commit), which
  bumps the member's version key and deletes the set, in one round trip.
- A missing set is filled from the primary (never a replica, which may not
  have replayed the like yet) under ``WATCH`` of the version key: if a like
  committed and bumped the version while the fill was reading, the fill is
  dropped rather than stored, so a set never misses a committed like.
- Sets expire after ``LIKED_SETS_TTL_SECONDS``: an invalidation lost while
  Redis was unreachable heals by itself, as the page cache does.

A set also holds the sentinel member ``0`` (no post has id 0), so a member
who likes nothing has a set that exists; the set of a member with too many
likes holds only ``-1``, so their reads query at once instead of refilling.
Likes deleted with their post stay in the set until it is next filled: they
name posts no page shows again.
"""

import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from redis.exceptions import RedisError, WatchError

from core.cache_client import redis_client
from posts.models import Like

logger = logging.getLogger(__name__)

_SENTINEL = 0
# The only member of the set of a member with too many likes to keep.
_TOO_MANY = -1


def liked_among(post_ids: Sequence[int], *, user_id: int) -> set[int]:
    """Return which of the posts the user likes: from the user's set, else one query."""
    if not post_ids:
        return set()
    client = redis_client()
    if client is not None:
        found = _from_set(client, post_ids, user_id=user_id)
        if found is not None:
            return found
    return _from_database(post_ids, user_id=user_id)


def liked_set_forget(*, user_id: int) -> None:
    """Drop the user's liked set once the current transaction commits."""
    transaction.on_commit(lambda: _forget(user_id))


def liked_among_queue(pipe: Any, post_ids: Sequence[int], *, user_id: int) -> None:
    """Queue the set's read on a Redis pipeline (one reply: liked_among_replied)."""
    # The markers' flags say whether the set exists and whether it is full.
    pipe.smismember(_set_key(user_id), [_SENTINEL, _TOO_MANY, *post_ids])


def liked_among_replied(
    replies: Sequence[Any], post_ids: Sequence[int], *, user_id: int
) -> set[int]:
    """Return liked_among's answer from the replies to liked_among_queue."""
    client = redis_client()
    found = None
    if client is not None:
        try:
            found = _answer(client, replies, post_ids, user_id=user_id)
        except (RedisError, OSError) as exc:
            logger.debug("liked set of user %s unavailable: %s", user_id, exc)
    return _from_database(post_ids, user_id=user_id) if found is None else found


def _from_set(client: Any, post_ids: Sequence[int], *, user_id: int) -> set[int] | None:
    """Return the liked posts among post_ids from Redis; None if it cannot say."""
    try:
        pipe = client.pipeline(transaction=False)
        liked_among_queue(pipe, post_ids, user_id=user_id)
        return _answer(client, pipe.execute(), post_ids, user_id=user_id)
    except (RedisError, OSError) as exc:
        logger.debug("liked set of user %s unavailable: %s", user_id, exc)
        return None


def _answer(
    client: Any, replies: Sequence[Any], post_ids: Sequence[int], *, user_id: int
) -> set[int] | None:
    """Answer from the set's replies, filling a missing set; None: ask the database."""
    [(kept, too_many, *flags)] = replies
    if not (kept or too_many):  # neither marker: there is no set
        liked = _fill(client, user_id)
        return None if liked is None else liked.intersection(post_ids)
    if too_many:
        return None
    return {post_id for post_id, flag in zip(post_ids, flags, strict=True) if flag}


def _fill(client: Any, user_id: int) -> set[int] | None:
    """Store the user's liked set read from the primary; None if too large to keep."""
    limit = settings.LIKED_SETS_MAX_MEMBERS
    with client.pipeline(transaction=True) as pipe:
        pipe.watch(_version_key(user_id))
        liked = _liked_posts_of(user_id, limit=limit)
        too_many = len(liked) > limit
        key = _set_key(user_id)
        pipe.multi()
        pipe.delete(key)
        # Too many to keep: the set says so, and reads go to the database.
        pipe.sadd(key, *([_TOO_MANY] if too_many else [_SENTINEL, *liked]))
        pipe.expire(key, settings.LIKED_SETS_TTL_SECONDS)
        # WatchError: a like committed during the read; the next read fills afresh.
        with contextlib.suppress(WatchError):
            pipe.execute()
    return None if too_many else liked


def _liked_posts_of(user_id: int, *, limit: int) -> set[int]:
    """Return up to limit + 1 of the user's liked posts, read from the primary."""
    likes = Like.objects.using(DEFAULT_DB_ALIAS).filter(user_id=user_id)
    return set(likes.values_list("post_id", flat=True)[: limit + 1])


def _forget(user_id: int) -> None:
    client = redis_client()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=True)
        pipe.incr(_version_key(user_id))
        pipe.expire(_version_key(user_id), settings.LIKED_SETS_TTL_SECONDS)
        pipe.delete(_set_key(user_id))
        pipe.execute()
    except (RedisError, OSError) as exc:
        # The set expires by itself within LIKED_SETS_TTL_SECONDS.
        logger.warning("could not drop the liked set of user %s: %s", user_id, exc)


def _from_database(post_ids: Sequence[int], *, user_id: int) -> set[int]:
    """Return which of the posts the user likes, read from the (user, post) index."""
    # Written as SQL, it skips the ORM's query compilation, half its cost
    # (docs/performance.md). Names come from the model, the values are
    # parameters.
    database = connections[router.db_for_read(Like)]
    quote = database.ops.quote_name
    table = quote(Like._meta.db_table)
    user_column = quote(Like._meta.get_field("user").column)
    post_column = quote(Like._meta.get_field("post").column)
    placeholders = ", ".join(["%s"] * len(post_ids))
    query = (
        f"SELECT {post_column} FROM {table} "  # noqa: S608 (names, not values)
        f"WHERE {user_column} = %s AND {post_column} IN ({placeholders})"
    )
    with database.cursor() as cursor:
        cursor.execute(query, [user_id, *post_ids])
        return {post_id for (post_id,) in cursor.fetchall()}


def _set_key(user_id: int) -> str:
    return cache.make_key(f"posts:liked-set:{user_id}")


def _version_key(user_id: int) -> str:
    return cache.make_key(f"posts:liked-set-version:{user_id}")
