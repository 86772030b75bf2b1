"""Full-text GIN index over posts' title and body, on PostgreSQL only.

The index is not in Post.Meta.indexes: SQLite cannot build it, and SQLite
rebuilds a table with every declared index whenever a later migration alters
it. So it lives here, created only when the database is PostgreSQL.
Migration 0003 replaces this expression index with a stored, indexed column.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

SEARCH_INDEX = GinIndex(
    SearchVector("title", "body", config="english"),
    name="posts_post_search_gin",
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("posts", "Post"), SEARCH_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("posts", "Post"), SEARCH_INDEX)


class Migration(migrations.Migration):
    dependencies = [("posts", "0001_initial")]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
