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

With Redis, the cached user, the throttle count and the liked flags are read
in the round trip that reads the page itself, when both cache aliases share
one Redis (the default): the liked set is asked about the posts the page
held when this process last served it (remembered by the page's ETag, which
is the digest of its bytes), and asked again only if the page has changed
since. With the stored responses in a Redis of their own, the member's reads
are a second round trip; without Redis (or while it is unreachable) each is
read as DRF would read it. Anything but a plain success (a miss, a refused
token, a member over the rate) returns None, uncounted, and the request goes
on through DRF, which answers it as before: so every refusal keeps its
envelope and its reason. ``tests/posts/test_member_reads.py`` compares both
answers byte for byte and counts the round trips.
"""

from collections import OrderedDict
from threading import Lock
from typing import Any, NamedTuple

import orjson
from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from accounts.authentication import bearer_token, honoured_user, token_user_id
from accounts.counters import counter_decr, counter_incr, counter_incr_queue
from accounts.models import User
from accounts.throttles import member_window
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
# How many pages' post ids a process remembers (a few ints each).
PAGES_REMEMBERED = 2048


def member_page(request: HttpRequest, entry_key: str) -> "MemberRead | None":
    """Return what answers a member's read of the page; None without a bearer token."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    token = bearer_token(header.encode("iso-8859-1"))
    return None if token is None else MemberRead(request, token, entry_key)


class Page(NamedTuple):
    """A stored page as a member's read needs it: its ETag and its posts, in order."""

    etag: str
    post_ids: tuple[int, ...]


class _PagesSeen:
    """The post ids of the pages this process served lately, by entry key.

    The ETag is the digest of the page's bytes,
    so ids remembered under the ETag a stored page carries are that page's:
    a member's read takes them instead of parsing the page, and guesses from
    them which posts to ask the liked set about in the page read's round trip.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._pages: OrderedDict[str, Page] = OrderedDict()
        self._lock = Lock()

    def get(self, entry_key: str) -> Page | None:
        with self._lock:
            return self._pages.get(entry_key)

    def remember(self, entry_key: str, page: Page) -> None:
        with self._lock:
            self._pages[entry_key] = page
            self._pages.move_to_end(entry_key)
            if len(self._pages) > self._size:
                self._pages.popitem(last=False)


_pages_seen = _PagesSeen(PAGES_REMEMBERED)


class MemberRead:
    """A member's read of one page (core.response_cache.MemberHit)."""

    def __init__(self, request: HttpRequest, token: Token, entry_key: str) -> None:
        self.request = request
        self.token = token
        self.entry_key = entry_key
        self.user_id = token_user_id(token)
        self.counted = member_window(self.user_id)
        # The page whose posts the queued reads ask the liked set about.
        self.asked: Page | None = None

    def queue(self, pipe: Any) -> None:
        """Queue the cached user, the throttle count and, if known, the page's likes."""
        self._queue(pipe, _pages_seen.get(self.entry_key))

    def answer(
        self, shared: SharedPage, replies: list[Any] | None
    ) -> HttpResponse | None:
        """Answer the read of a stored page as DRF would; None to leave it to DRF."""
        if shared.body is None:
            if replies is not None:
                counter_decr(self.counted.key)  # the view's throttle counts it
            return None
        page = _page_of(self.entry_key, shared.body, shared.header("ETag"))
        checked = (
            self._checked(page) if replies is None else self._replied(replies, page)
        )
        if checked is None:
            return None
        user, liked = checked
        response = HttpResponse(_overlaid(shared.body, page.post_ids, liked))
        for name, value in shared.headers:
            if name.lower() not in _NOT_COPIED:
                response[name] = value
        response["Content-Length"] = str(len(response.content))
        # As DRF would have: the access log and the read routing see the member.
        self.request.user = user
        return response

    def _queue(self, pipe: Any, page: Page | None) -> None:
        pipe.get(auth_state_redis_key(self.user_id))
        counter_incr_queue(pipe, self.counted.key, timeout=self.counted.duration)
        self.asked = page
        if page is not None:
            liked_among_queue(pipe, page.post_ids, user_id=self.user_id)

    def _replied(self, replies: list[Any], page: Page) -> tuple[User, set[int]] | None:
        """Return the member and their likes from the replies to the queued reads."""
        state, _, count, *liked_replies = replies
        user = _honoured(self.token, auth_state_from_redis(state, user_id=self.user_id))
        if user is None:
            # DRF refuses the token before it throttles: not a counted request.
            counter_decr(self.counted.key)
            return None
        if not self._within(int(count)):
            return None
        if self.asked != page:  # the page changed since this process last saw it
            return user, liked_among(page.post_ids, user_id=self.user_id)
        return user, liked_among_replied(
            liked_replies, page.post_ids, user_id=self.user_id
        )

    def _checked(self, page: Page) -> tuple[User, set[int]] | None:
        """Return the member and their likes when the page came on its own."""
        client = redis_client()
        if client is not None:
            try:
                pipe = client.pipeline(transaction=False)
                self._queue(pipe, page)
                return self._replied(pipe.execute(), page)
            except (RedisError, OSError):
                pass  # each check below has its own way while Redis is away
        user = _honoured(self.token, auth_state_get(user_id=self.user_id))
        if user is None:
            return None
        if not self._within(
            counter_incr(self.counted.key, timeout=self.counted.duration)
        ):
            return None
        return user, liked_among(page.post_ids, user_id=self.user_id)

    def _within(self, count: int) -> bool:
        """Return whether the count is within the limit; else take it back for DRF."""
        if count <= self.counted.limit:
            return True
        counter_decr(self.counted.key)  # DRF counts it again and answers the 429
        return False


def _honoured(token: Token, state: AuthState | None) -> User | None:
    try:
        return honoured_user(token, state)
    except AuthenticationFailed:
        return None


def _page_of(entry_key: str, body: bytes, etag: str | None) -> Page:
    """Return the stored page's ETag and posts, parsing it only if unseen."""
    seen = _pages_seen.get(entry_key)
    if seen is not None and etag is not None and seen.etag == etag:
        return seen
    page: dict[str, Any] = orjson.loads(body)
    post_ids = tuple(post["id"] for post in page.get("results", [page]))
    found = Page(etag or "", post_ids)
    if etag is not None:
        _pages_seen.remember(entry_key, found)
    return found


def _overlaid(body: bytes, post_ids: tuple[int, ...], liked: set[int]) -> bytes:
    """Return the stored page's bytes with the member's liked_by_me flags."""
    # Each post of the stored page says "liked_by_me":false once, in page
    # order, and nothing else can: a quote inside a JSON string is escaped.
    # So the member's page is the stored bytes with some of them turned true,
    # not a parse and render of the whole page.
    pieces = body.split(_NOT_LIKED)
    if len(pieces) != len(post_ids) + 1:  # not a page this module stored
        page: dict[str, Any] = orjson.loads(body)
        for post in page.get("results", [page]):
            post["liked_by_me"] = post["id"] in liked
        return FastJSONRenderer().render(page, "application/json")
    flags = [_LIKED if post_id in liked else _NOT_LIKED for post_id in post_ids]
    return pieces[0] + b"".join(
        flag + piece for flag, piece in zip(flags, pieces[1:], strict=True)
    )
