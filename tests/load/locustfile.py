"""A realistic mix for the load run (tests/load/test_load.py): reads, logins, writes.

Accounts come from INKWELL_LOAD_ACCOUNTS (a JSON list of {email, password}).
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

API = "/api/v1"
ACCOUNTS = itertools.cycle(json.loads(os.environ.get("INKWELL_LOAD_ACCOUNTS", "[]")))


class AnonymousReader(HttpUser):
    """Reads the public site: the list, a post, its comments, the tags."""

    weight = 3
    wait_time = between(0.2, 1.0)

    @task(4)
    def list_posts(self) -> None:
        self.client.get(f"{API}/posts/", name="posts list (anonymous)")

    @task(2)
    def read_post(self) -> None:
        page = self.client.get(
            f"{API}/posts/?page_size=10", name="posts list (anonymous)"
        )
        results = page.json().get("results", []) if page.ok else []
        if results:
            post = random.choice(results)
            self.client.get(f"{API}/posts/{post['id']}/", name="post detail")
            self.client.get(f"{API}/posts/{post['id']}/comments/", name="comments")

    @task(1)
    def tags(self) -> None:
        self.client.get(f"{API}/tags/", name="tags")


class Author(HttpUser):
    """Logs in, reads as itself, writes, publishes, likes and comments."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        account = next(ACCOUNTS)
        response = self.client.post(f"{API}/auth/token/", json=account, name="login")
        self.headers = {"Authorization": f"Bearer {response.json()['access']}"}
        self.published: list[int] = []

    @task(4)
    def read_as_myself(self) -> None:
        self.client.get(f"{API}/posts/", headers=self.headers, name="posts list (auth)")
        self.client.get(f"{API}/users/me/", headers=self.headers, name="users/me")

    @task(1)
    def write_and_publish(self) -> None:
        created = self.client.post(
            f"{API}/posts/",
            json={
                "title": "Load test post",
                "body": "Written under load.",
                "tags": ["load"],
            },
            headers=self.headers,
            name="post create",
        )
        if created.ok:
            post_id = created.json()["id"]
            self.client.post(
                f"{API}/posts/{post_id}/publish/", headers=self.headers, name="publish"
            )
            self.published.append(post_id)

    @task(2)
    def like_and_comment(self) -> None:
        page = self.client.get(
            f"{API}/posts/?page_size=20", headers=self.headers, name="posts list (auth)"
        )
        results = page.json().get("results", []) if page.ok else []
        if not results:
            return
        post = random.choice(results)
        self.client.post(
            f"{API}/posts/{post['id']}/like/", headers=self.headers, name="like"
        )
        self.client.post(
            f"{API}/posts/{post['id']}/comments/",
            json={"body": "A comment under load."},
            headers=self.headers,
            name="comment",
        )
