"""Measure the bytes of ``GET /api/v1/posts/?page_size=100`` over long posts.

Builds a throwaway in-memory SQLite database with 100 published posts whose
bodies are the longest allowed (100,000 characters of words), each with three
tags, and prints the list's size as sent and gzip-compressed, and the detail's.

    .venv/bin/python scripts/list_payload.py
"""

import gzip
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django

django.setup()

POSTS = 100
# A vocabulary large enough that gzip meets text, not one repeated phrase;
# seeded generators make every run measure the same bytes (nothing secret).
WORDS = [
    "".join(random.Random(n).choices("abcdefghijklmnopqrstuvwxyz", k=3 + n % 8))  # noqa: S311
    for n in range(2000)
]


def long_body(seed: int, length: int) -> str:
    """Return random words in paragraphs, exactly length characters long."""
    pick = random.Random(seed)  # noqa: S311
    parts, size = [], 0
    while size < length:
        part = pick.choice(WORDS) + ("\n\n" if pick.random() < 0.01 else " ")
        parts.append(part)
        size += len(part)
    return "".join(parts)[:length]


def main() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)

    from accounts.models import Role, User
    from posts import services
    from posts.models import BODY_MAX_LENGTH

    author = User.objects.create_user(
        email="payload@example.com",
        password=None,
        display_name="Payload Author",
        role=Role.AUTHOR,
    )
    for n in range(POSTS):
        post = services.post_create(
            author=author,
            title=f"Long post number {n}",
            body=long_body(n, BODY_MAX_LENGTH),
            tags=[f"Topic {n % 7}", f"Series {n % 3}", "Long reads"],
        )
        services.post_publish(post=post)

    client = Client()
    listing = client.get("/api/v1/posts/?page_size=100")
    first = listing.json()["results"][0]["id"]
    detail = client.get(f"/api/v1/posts/{first}/")
    for name, response in (("list of 100", listing), ("one detail", detail)):
        body = response.content
        print(
            f"{name}: status {response.status_code}, {len(body):,} bytes, "
            f"{len(gzip.compress(body)):,} bytes gzipped"
        )


if __name__ == "__main__":
    main()
