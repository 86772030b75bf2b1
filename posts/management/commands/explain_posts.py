"""Print PostgreSQL's plans for the queries the public posts list really runs."""

import re
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory

from posts.views import PostViewSet

# A scan of the posts table itself (not posts_post_tags) means a missing index.
SEQ_SCAN_ON_POSTS = re.compile(r"Seq Scan on posts_post\b(?!_)")


class Command(BaseCommand):
    help = (
        "Run GET /api/v1/posts/ anonymously (plain, searched, filtered by tag), "
        "capture its SQL and print PostgreSQL's EXPLAIN for each query. Fails if "
        "any of them scans posts_post sequentially."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--search",
            action="append",
            default=None,
            help="Search terms to explain (repeatable); default: a rare and a "
            "common word of the bulk data.",
        )
        parser.add_argument("--tag", default="django", help="Tag slug to filter by.")
        parser.add_argument(
            "--analyze",
            action="store_true",
            help="EXPLAIN ANALYZE: run the queries and show real timings.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The plans that matter are PostgreSQL's.")
        cases: list[tuple[str, dict[str, str]]] = [("public list", {})]
        for terms in options["search"] or ["4242", "latency"]:
            cases.append((f"search {terms!r}", {"search": terms}))
        cases.append((f"tag {options['tag']!r}", {"tag": options["tag"]}))
        scanned = []
        for label, params in cases:
            for number, sql in enumerate(self._queries(params), start=1):
                plan = self._explain(sql, analyze=options["analyze"])
                self.stdout.write(f"== {label}, query {number}\n{sql}\n\n{plan}\n")
                if SEQ_SCAN_ON_POSTS.search(plan):
                    scanned.append(label)
        if scanned:
            raise CommandError(f"Sequential scan on posts_post: {', '.join(scanned)}")
        self.stdout.write(self.style.SUCCESS("No sequential scan on posts_post."))

    def _queries(self, params: dict[str, str]) -> list[str]:
        """Return the SQL of an anonymous GET /api/v1/posts/ with the params."""
        host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost")
        request = APIRequestFactory().get(
            "/api/v1/posts/", params, HTTP_HOST=host.lstrip(".")
        )
        with CaptureQueriesContext(connection) as context:
            response = PostViewSet.as_view({"get": "list"})(request)
        if response.status_code != 200:
            raise CommandError(f"The list answered {response.status_code}.")
        return [query["sql"] for query in context.captured_queries]

    def _explain(self, sql: str, *, analyze: bool) -> str:
        options = "ANALYZE, BUFFERS" if analyze else "COSTS"
        with connection.cursor() as cursor:
            # The SQL is the list's own, as Django sent it (values inlined).
            cursor.execute(f"EXPLAIN ({options}) {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
