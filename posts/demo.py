"""Demo content: tagged posts in both states, with comments and likes."""

from dataclasses import dataclass

from accounts.models import User
from posts import services
from posts.models import Post

AUTHOR = "author@example.com"
AUTHOR2 = "author2@example.com"
EDITOR = "editor@example.com"
ADMIN = "admin@example.com"
READER = "reader@example.com"


@dataclass(frozen=True)
class DemoPost:
    slug: str
    author: str
    title: str
    body: str
    tags: tuple[str, ...]
    published: bool
    comments: tuple[tuple[str, str], ...] = ()
    likes: tuple[str, ...] = ()


DEMO_POSTS = (
    DemoPost(
        slug="welcome-to-inkwell",
        author=EDITOR,
        title="Welcome to Inkwell",
        body="Inkwell is a small publishing platform: authors write posts, "
        "editors look after them, and readers comment and like.",
        tags=("Inkwell", "Announcements"),
        published=True,
        comments=((READER, "Glad to be here!"), (AUTHOR, "Looking forward to it.")),
        likes=(READER, AUTHOR, AUTHOR2, ADMIN),
    ),
    DemoPost(
        slug="indexes-that-pull-their-weight",
        author=AUTHOR,
        title="Indexes that pull their weight",
        body="Every index costs writes. Keep the ones your queries use: "
        "the public list reads (status, published_at, id) in order.",
        tags=("PostgreSQL", "Performance"),
        published=True,
        comments=((AUTHOR2, "Partial indexes next?"), (READER, "Very clear, thanks.")),
        likes=(READER, EDITOR),
    ),
    DemoPost(
        slug="service-functions-in-django",
        author=AUTHOR,
        title="Service functions in Django",
        body="Put every state change behind one named function with keyword-only "
        "arguments, and let the database settle races.",
        tags=("Django", "Architecture"),
        published=True,
        comments=((EDITOR, "This is how we work here."),),
        likes=(AUTHOR2,),
    ),
    DemoPost(
        slug="cursor-pagination-explained",
        author=AUTHOR2,
        title="Cursor pagination, explained",
        body="Offsets drift when rows arrive; cursors do not. The trick is a "
        "unique ordering: a timestamp with the id as tiebreaker.",
        tags=("Django", "API design"),
        published=True,
        likes=(READER, AUTHOR, EDITOR),
    ),
    DemoPost(
        slug="draft-full-text-search",
        author=AUTHOR,
        title="Full-text search on PostgreSQL (draft)",
        body="Notes on GIN indexes over to_tsvector with a fixed configuration.",
        tags=("PostgreSQL", "Search"),
        published=False,
    ),
    DemoPost(
        slug="draft-caching-strategies",
        author=AUTHOR2,
        title="Caching strategies (draft)",
        body="Generations, TTLs and what happens when Redis goes away.",
        tags=("Redis", "Performance"),
        published=False,
    ),
)


def ensure_demo_content(users: dict[str, User]) -> int:
    """Create the demo posts that are missing; return how many were created.

    Posts are recognised by slug, so a second run creates nothing and leaves
    whatever was changed through the API alone.
    """
    existing = set(
        Post.objects.filter(slug__in=[demo.slug for demo in DEMO_POSTS]).values_list(
            "slug", flat=True
        )
    )
    created = 0
    for demo in DEMO_POSTS:
        if demo.slug not in existing:
            _create(demo, users)
            created += 1
    return created


def _create(demo: DemoPost, users: dict[str, User]) -> None:
    post = services.post_create(
        author=users[demo.author],
        title=demo.title,
        body=demo.body,
        tags=demo.tags,
        slug=demo.slug,
    )
    if not demo.published:
        return
    post = services.post_publish(post=post)
    for email, body in demo.comments:
        services.comment_create(post=post, author=users[email], body=body)
    for email in demo.likes:
        services.post_like(post=post, user=users[email])
