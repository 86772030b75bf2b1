"""A shared cache of anonymous public reads, consulted before any view code runs.

Why not ``cache_page``: it runs after DRF dispatch when put on a viewset
method (authentication, throttles, two lookups and an unpickle per hit), its
key ignores a generation, and it writes its own max-age. Here a hit costs one
cache round trip (an MGET of the generation and the entry) and no view code.

Invalidation is by generation: every write that changes what a public read
shows calls :func:`invalidate_public_reads` (on commit), which bumps one
counter; an entry stored under an older generation is a miss. Entries also
expire after ``RESPONSE_CACHE_TTL_SECONDS``, so an invalidation lost while
the cache was unreachable heals by itself.

An entry is keyed by exactly what the view reads: method, scheme, host,
path, and the query parameters, in a fixed order. Only a query made of the
parameters ``RESPONSE_CACHE_PATHS`` lists for the path, each given once, is
served or stored: the view refuses any other (core.query_parameters) with a
400, so such a request goes to the view, uncached. Only the Accept values
that render the same bytes are served from the cache; any other goes to the
view. Responses above ``RESPONSE_CACHE_MAX_ENTRY_BYTES`` are served but not
stored.

Entries and the counter live in the cache alias ``responses``, never in the
default one: however many entries clients cause, they evict only each other,
not throttle counters or cached users. If the counter itself is evicted, the
next one starts from the clock, above every earlier generation, so the old
entries just miss.

With read replicas, a request that fills an entry reads the primary
(core.db_router): a replica may not have replayed the write whose
invalidation caused the miss yet, and its page would be served to everyone
until the next invalidation. Hits read nothing; authenticated reads that
overlay a stored page may read a replica.
"""

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache as memoize
from typing import Any, Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from redis.exceptions import RedisError
from rest_framework.request import Request

from core.cache_client import redis_client
from core.db_router import read_from_primary

CACHE_ALIAS = "responses"
GENERATION_KEY = "public-reads:generation"
ENTRY_PREFIX = "public-reads:entry:"
VARY_ON = ("Authorization", "Accept")
# The Accept values DRF answers with the same bytes (JSONRenderer, no indent):
# they share one entry. Any other goes to the view, so Accept never splits it.
SHARED_ACCEPTS = frozenset({None, "*/*", "application/json"})
PUBLIC_CACHE_CONTROL = "public, no-cache"
PRIVATE_CACHE_CONTROL = "private, no-store"
# Headers that belong to one exchange, never to a stored response.
_NOT_STORED = {"x-request-id", "set-cookie", "date"}
_API_PREFIX = "/api/"
# Where the middleware leaves the SharedPage of an authenticated read.
_SHARED_PAGE = "inkwell_shared_page"


def invalidate_public_reads() -> None:
    """Make every stored public read stale once the current transaction commits."""
    transaction.on_commit(_bump_generation)


def _responses() -> BaseCache:
    """Return the cache alias that holds stored responses and their generation."""
    return caches[CACHE_ALIAS]


def _bump_generation() -> None:
    try:
        _responses().incr(GENERATION_KEY)
    except ValueError:
        _start_generation()


def _start_generation() -> int | None:
    """Create the counter if missing, from a value no earlier generation used."""
    responses = _responses()
    responses.add(GENERATION_KEY, time.time_ns(), timeout=None)
    return responses.get(GENERATION_KEY)


@memoize
def _compiled(
    paths: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """Compile the path patterns once per distinct RESPONSE_CACHE_PATHS."""
    return tuple((re.compile(pattern), names) for pattern, names in paths)


def _parameters_read_at(path: str) -> tuple[str, ...] | None:
    """Return the query parameters the view at path reads; None if it is not cached."""
    paths = settings.RESPONSE_CACHE_PATHS
    for pattern, names in _compiled(tuple((p, tuple(n)) for p, n in paths.items())):
        if pattern.fullmatch(path):
            return names
    return None


@dataclass
class SharedPage:
    """The public entry an authenticated read of a member path builds on.

    ``body`` and ``headers`` are the stored public response, or None and []
    on a miss. On a miss the view may set ``public_body`` to the page as an
    anonymous reader sees it; it is stored as the anonymous request would
    have stored it.
    """

    body: bytes | None
    headers: list[tuple[str, str]]
    public_body: bytes | None = None

    def header(self, name: str) -> str | None:
        """Return a header of the stored response, None without it or on a miss."""
        lowered = name.lower()
        return next((v for n, v in self.headers if n.lower() == lowered), None)


def shared_page_of(request: HttpRequest | Request) -> SharedPage | None:
    """Return the public page an authenticated read may overlay; None if it may not."""
    return getattr(request, _SHARED_PAGE, None)


class PublicReadCacheMiddleware:
    """Serve anonymous GETs of public reads from the cache; set HTTP cache headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(_API_PREFIX):
            return self.get_response(request)
        query = _cacheable_query(request)
        if query is None:
            member_query = _member_query(request)
            if member_query is not None:
                return self._member_read(request, member_query)
            response = self.get_response(request)
            if "Authorization" in request.headers:
                _mark_private(response)
            return response

        # get_host() validates the Host against ALLOWED_HOSTS (DisallowedHost
        # becomes the 400 envelope), so a hit is refused exactly like a miss.
        key = ENTRY_PREFIX + _entry_key(request, query)
        found = _responses().get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        entry = found.get(key)
        if entry is not None and generation is not None and entry[0] == generation:
            request.served_from_cache = True  # type: ignore[attr-defined]
            return _replay(request, entry)

        # A fill outlives the request: it must not be a lagging replica's page.
        read_from_primary()
        response = self.get_response(request)
        if response.status_code != 200 or response.streaming:
            return response
        _mark_public(response)
        if generation is None:
            generation = _start_generation()
        if generation is not None:  # None: the cache is unreachable
            _store(key, _stored(generation, response))
        return _not_modified_or(request, response)

    def _member_read(self, request: HttpRequest, query: str) -> HttpResponse:
        """Answer a member's read of a stored page, or hand the view the entry."""
        key = ENTRY_PREFIX + _entry_key(request, query)
        hit = _member_hit(request, key)
        generation, entry, replies = _read_entry(key, hit)
        if entry is not None and generation is not None and entry[0] == generation:
            shared = SharedPage(body=entry[3], headers=entry[2])
        else:
            shared = SharedPage(body=None, headers=[])
        answered = None if hit is None else hit.answer(shared, replies)
        if answered is not None:
            request.served_from_cache = True  # type: ignore[attr-defined]
            _mark_private(answered)
            return answered
        if shared.body is None:
            read_from_primary()  # the view makes the public page, to be stored
        setattr(request, _SHARED_PAGE, shared)
        response = self.get_response(request)
        if (
            shared.public_body is not None
            and response.status_code == 200
            and not response.streaming
        ):
            if generation is None:
                generation = _start_generation()
            if generation is not None:
                _store(key, _stored(generation, _public_twin(response, shared)))
        _mark_private(response)
        return response


class MemberHit(Protocol):
    """What answers a member's read of a stored page (``RESPONSE_CACHE_MEMBER_HIT``).

    The setting names a callable taking the request and the key of the
    page's entry and returning one of these, or None for a request it never
    answers (no credential it knows).
    """

    def queue(self, pipe: Any) -> None:
        """Queue the reads the answer needs on the page read's Redis pipeline."""

    def answer(
        self, shared: SharedPage, replies: list[Any] | None
    ) -> HttpResponse | None:
        """Answer the request, or return None to leave it to the view.

        ``shared.body`` is None on a miss. ``replies`` are the replies to the
        commands :meth:`queue` queued, or None when it was not called (no
        Redis, or the stored responses live in another one).
        """


def _member_hit(request: HttpRequest, key: str) -> MemberHit | None:
    """Return what may answer a member's read of a stored page, if the app has one."""
    hook = _member_hit_hook(settings.RESPONSE_CACHE_MEMBER_HIT)
    return None if hook is None else hook(request, key)


@memoize
def _member_hit_hook(
    path: str,
) -> Callable[[HttpRequest, str], MemberHit | None] | None:
    return import_string(path) if path else None


def _read_entry(
    key: str, hit: MemberHit | None
) -> tuple[int | None, tuple | None, list[Any] | None]:
    """Return the generation, the entry, and the replies to the hit's queued reads.

    When the stored responses share one Redis with the default cache, the
    member's reads go in the page read's round trip; otherwise the hit
    reads them itself (replies None).
    """
    responses = _responses()
    client = None if hit is None else _shared_redis_client()
    if hit is not None and client is not None:
        try:
            pipe = client.pipeline(transaction=False)
            pipe.mget([responses.make_key(GENERATION_KEY), responses.make_key(key)])
            hit.queue(pipe)
            (generation, entry), *replies = pipe.execute()
        except (RedisError, OSError):
            pass  # read as any other cache read is, which logs the outage
        else:
            decode = responses.client.decode  # type: ignore[attr-defined]
            return (
                None if generation is None else decode(generation),
                None if entry is None else decode(entry),
                replies,
            )
    found = responses.get_many([GENERATION_KEY, key])
    return found.get(GENERATION_KEY), found.get(key), None


def _shared_redis_client() -> Any:
    """Return the Redis client of both cache aliases if they share one; else None."""
    responses = redis_client(CACHE_ALIAS)
    default = redis_client()
    if responses is None or default is None:
        return None
    return default if responses.connection_pool is default.connection_pool else None


def _public_twin(response: HttpResponse, shared: SharedPage) -> HttpResponse:
    """Return the response an anonymous reader would have got for the same page."""
    # The same view and middleware made both: only the body and its length differ.
    public = HttpResponse(shared.public_body, status=response.status_code)
    for name, value in response.items():
        public[name] = value
    if "Content-Length" in response:
        public["Content-Length"] = str(len(public.content))
    _mark_public(public)
    return public


def _member_query(request: HttpRequest) -> str | None:
    """Return the query keying an authenticated read of a member path, else None."""
    if "Authorization" not in request.headers or not _matches_member_path(request.path):
        return None
    return _keyed_query(request)


def _matches_member_path(path: str) -> bool:
    patterns = _compiled(
        tuple((pattern, ()) for pattern in settings.RESPONSE_CACHE_MEMBER_PATHS)
    )
    return any(pattern.fullmatch(path) for pattern, _ in patterns)


def _cacheable_query(request: HttpRequest) -> str | None:
    """Return the query that keys this request; None if it is not cacheable."""
    if "Authorization" in request.headers:
        return None
    return _keyed_query(request)


def _keyed_query(request: HttpRequest) -> str | None:
    """Return the query of a cacheable read as the key holds it, else None."""
    if not (
        settings.RESPONSE_CACHE_ENABLED
        and request.method in ("GET", "HEAD")
        and request.META.get("HTTP_ACCEPT") in SHARED_ACCEPTS
    ):
        return None
    names = _parameters_read_at(request.path)
    if names is None:
        return None
    given = request.GET.lists()
    # An unknown or repeated parameter is the view's 400: never stored.
    if any(name not in names or len(values) > 1 for name, values in given):
        return None
    return urlencode(
        [(name, request.GET[name]) for name in names if name in request.GET]
    )


def _entry_key(request: HttpRequest, query: str) -> str:
    """Key by all the view reads: method, scheme, host, path and query."""
    raw = "\n".join(
        (
            request.method or "GET",
            request.scheme or "",
            request.get_host(),
            request.path,
            query,
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def _store(key: str, entry: tuple) -> None:
    """Store the entry unless it is larger than one entry may be."""
    # Served but not stored: the cap times MAX_ENTRIES bounds the cache's memory.
    if _size(entry) <= settings.RESPONSE_CACHE_MAX_ENTRY_BYTES:
        _responses().set(key, entry, timeout=settings.RESPONSE_CACHE_TTL_SECONDS)


def _size(entry: tuple) -> int:
    """Return the bytes an entry holds: its body and its headers."""
    _, _, headers, body = entry
    return len(body) + sum(len(name) + len(value) for name, value in headers)


def _mark_private(response: HttpResponse) -> None:
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    patch_vary_headers(response, VARY_ON)


def _mark_public(response: HttpResponse) -> None:
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    digest = hashlib.sha256(response.content).hexdigest()[:32]
    response["ETag"] = f'"{digest}"'
    patch_vary_headers(response, VARY_ON)


def _stored(generation: int, response: HttpResponse) -> tuple:
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower() not in _NOT_STORED
    ]
    return (generation, response.status_code, headers, response.content)


def _replay(request: HttpRequest, entry: tuple) -> HttpResponse:
    _, status, headers, body = entry
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return _not_modified_or(request, response)


def _not_modified_or(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Answer 304 when the client already holds this exact representation."""
    etag = response.get("ETag")
    if etag and etag in _etags(request.headers.get("If-None-Match", "")):
        not_modified = HttpResponseNotModified()
        for name in ("ETag", "Cache-Control", "Vary"):
            not_modified[name] = response[name]
        return not_modified
    return response


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
