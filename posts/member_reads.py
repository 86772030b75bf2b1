"""A member's read of a cached public post page, answered before DRF runs.

A member's list or detail of public posts is the anonymous page with the
member's ``liked_by_me`` flags. When the public page is cached,
``core.response_cache`` hands it here (``RESPONSE_CACHE_MEMBER_HIT``) and
this answers the whole request with what DRF would have done for it:

- authentication: the same checks as the API's bearer authentication
  (``accounts.authentication.bearer_token`` and ``honoured_user``);
- throttling: the member's request is counted as ``UserRateThrottle``
  counts it (the posts views' only throttle for a member);
- the flags: the member's liked set (posts.liked_sets), written into the
  stored bytes;
- the response: the stored page's headers minus its ETag (a member's
  answer is private), its length recomputed.

With Redis, the cached user, the throttle count and the liked flags are one
pipelined round trip; without it (or while it is unreachable) each is read
as DRF would read it. Anything but a plain success (no or another
credential, a refused token, a member over the rate) returns None, uncounted,
and the request goes on through DRF, which answers it as before: so every
refusal keeps its envelope and its reason. ``tests/posts/test_member_reads.py``
compares both answers byte for byte.
"""

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from accounts.authentication import bearer_token, honoured_user, token_user_id
from accounts.counters import counter_decr, counter_incr, counter_incr_queue
from accounts.models import User
from accounts.throttles import Window, member_window
from accounts.user_cache import (
    AuthState,
    auth_state_from_redis,
    auth_state_get,
    auth_state_redis_key,
)
from core.cache_client import redis_client
from core.renderers import FastJSONRenderer
from core.response_cache import SharedPage
from posts.liked_sets import liked_among, liked_among_queue, liked_among_replied

_NOT_LIKED = b'"liked_by_me":false'
_LIKED = b'"liked_by_me":true'
# Of the stored page's headers, those a member's answer sets itself.
_NOT_COPIED = frozenset({"etag", "content-length", "cache-control"})


def member_page(request: HttpRequest, shared: SharedPage) -> HttpResponse | None:
    """Answer a member's read of the cached page; None to leave it to DRF."""
    if shared.body is None:
        return None
    header = request.META.get("HTTP_AUTHORIZATION", "")
    token = bearer_token(header.encode("iso-8859-1"))
    if token is None:
        return None
    page: dict[str, Any] = orjson.loads(shared.body)
    posts = page.get("results", [page])
    checked = _checked(token, [post["id"] for post in posts])
    if checked is None:
        return None
    user, liked = checked
    response = HttpResponse(_overlaid(shared.body, page, posts, liked))
    for name, value in shared.headers:
        if name.lower() not in _NOT_COPIED:
            response[name] = value
    response["Content-Length"] = str(len(response.content))
    # As DRF would have: the access log and the read routing see the member.
    request.user = user
    return response


def _checked(token: Token, post_ids: list[int]) -> tuple[User, set[int]] | None:
    """Return the member and their liked posts; None if DRF must answer."""
    client = redis_client()
    if client is not None:
        try:
            return _checked_in_one_round_trip(client, token, post_ids)
        except (RedisError, OSError):
            pass  # each check below has its own way while Redis is away
    user_id = token_user_id(token)
    user = _honoured(token, auth_state_get(user_id=user_id))
    if user is None:
        return None
    counted = member_window(user_id)
    if not _within(counted, counter_incr(counted.key, timeout=counted.duration)):
        return None
    return user, liked_among(post_ids, user_id=user_id)


def _checked_in_one_round_trip(
    client: Any, token: Token, post_ids: list[int]
) -> tuple[User, set[int]] | None:
    user_id = token_user_id(token)
    counted = member_window(user_id)
    pipe = client.pipeline(transaction=False)
    pipe.get(auth_state_redis_key(user_id))
    counter_incr_queue(pipe, counted.key, timeout=counted.duration)
    liked_among_queue(pipe, post_ids, user_id=user_id)
    state, _, count, *liked_replies = pipe.execute()
    user = _honoured(token, auth_state_from_redis(state, user_id=user_id))
    if user is None:
        # DRF refuses the token before it throttles: not a counted request.
        counter_decr(counted.key)
        return None
    if not _within(counted, int(count)):
        return None
    return user, liked_among_replied(liked_replies, post_ids, user_id=user_id)


def _honoured(token: Token, state: AuthState | None) -> User | None:
    try:
        return honoured_user(token, state)
    except AuthenticationFailed:
        return None


def _within(counted: Window, count: int) -> bool:
    """Return whether the count is within the limit; else take it back for DRF."""
    if count <= counted.limit:
        return True
    counter_decr(counted.key)  # DRF counts it again and answers the 429
    return False


def _overlaid(
    body: bytes, page: dict[str, Any], posts: list[dict[str, Any]], liked: set[int]
) -> bytes:
    """Return the stored page's bytes with the member's liked_by_me flags."""
    # Each post of the stored page says "liked_by_me":false once, in page
    # order, and nothing else can: a quote inside a JSON string is escaped.
    # So the member's page is the stored bytes with some of them turned true,
    # not a parse and render of the whole page.
    pieces = body.split(_NOT_LIKED)
    if len(pieces) != len(posts) + 1:  # not a page this module stored
        for post in posts:
            post["liked_by_me"] = post["id"] in liked
        return FastJSONRenderer().render(page, "application/json")
    flags = [_LIKED if post["id"] in liked else _NOT_LIKED for post in posts]
    return pieces[0] + b"".join(
        flag + piece for flag, piece in zip(flags, pieces[1:], strict=True)
    )
