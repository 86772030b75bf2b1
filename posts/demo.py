"""Demo content: a small publication's posts in both states, with comments and likes."""

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
        body=(
            "Inkwell is where our writers publish what they have learned building "
            "and running software for the web. Every piece here was written by "
            "someone who did the work, then read by an editor before it went out.\n\n"
            "Authors draft in their own time and publish when they are ready; "
            "editors look after the whole publication, fixing a title here or a "
            "tag there, and readers join in with comments and likes. Nothing "
            "appears under your name that you did not write.\n\n"
            "We start with a handful of essays on databases, Django and API "
            "design, and more are on the way. If something is unclear or wrong, "
            "say so in the comments: the best posts here have been improved by "
            "their readers."
        ),
        tags=("Inkwell", "Announcements"),
        published=True,
        comments=(
            (READER, "Glad to be here, and looking forward to the database posts."),
            (AUTHOR, "Thanks for having us. The first essays are already up."),
        ),
        likes=(READER, AUTHOR, AUTHOR2, ADMIN),
    ),
    DemoPost(
        slug="indexes-that-pull-their-weight",
        author=AUTHOR,
        title="Indexes that pull their weight",
        body=(
            "Every index speeds up some reads and slows down every write. Before "
            "adding one, find the query it serves, and before keeping one, check "
            "that some query still uses it: the statistics views of PostgreSQL "
            "tell you how often each index was scanned.\n\n"
            "The best index matches the query exactly. A list of published posts, "
            "newest first, filters on the status and sorts on the publication "
            "date and the id; one index on those three columns, in that order, "
            "answers it without sorting a single row.\n\n"
            "Partial indexes go further when most rows never match. If drafts are "
            "a small share of the table, an index over published posts alone is "
            "smaller, stays in memory and costs nothing when an author saves a "
            "draft. Measure with EXPLAIN ANALYZE, then decide."
        ),
        tags=("PostgreSQL", "Performance"),
        published=True,
        comments=(
            (AUTHOR2, "Would you write a follow-up on partial indexes?"),
            (READER, "Very clear, thank you. The EXPLAIN tip saved me an hour."),
        ),
        likes=(READER, EDITOR),
    ),
    DemoPost(
        slug="service-functions-in-django",
        author=AUTHOR,
        title="Service functions in Django",
        body=(
            "Views, forms, admin actions and management commands all change the "
            "same data. When each of them does it in its own way, the rules drift "
            "apart: one path checks a permission, another forgets to update a "
            "counter, and a third sends the e-mail twice.\n\n"
            "Put every change of state behind one named function instead, with "
            "keyword-only arguments and a transaction of its own. The view turns "
            "a request into a call and the answer into a response; the function "
            "holds the rules and nothing else needs to know them.\n\n"
            "Let the database settle races rather than checking first and writing "
            "second. A unique constraint or a row lock is correct under any "
            "amount of concurrency, and the function turns the database's refusal "
            "into an error the caller understands."
        ),
        tags=("Django", "Architecture"),
        published=True,
        comments=((EDITOR, "This is how we work here, and it shows in the code."),),
        likes=(AUTHOR2,),
    ),
    DemoPost(
        slug="cursor-pagination-explained",
        author=AUTHOR2,
        title="Cursor pagination, explained",
        body=(
            "Page numbers are easy to build and easy to break. When new posts "
            "arrive while a reader pages through a list, every offset shifts: the "
            "reader sees some posts twice and misses others, and deep pages get "
            "slower because the database still counts past every skipped row.\n\n"
            "A cursor remembers where the last page ended instead of how many "
            "rows came before it. The next page asks for the rows after that "
            "point, which an index finds directly, however far into the list the "
            "reader has gone.\n\n"
            "The one requirement is an ordering without ties. A publication date "
            "alone is not enough, since two posts can share a timestamp; adding "
            "the id as a tiebreaker makes every position unique, and the cursor "
            "then never skips or repeats a post."
        ),
        tags=("Django", "API design"),
        published=True,
        likes=(READER, AUTHOR, EDITOR),
    ),
    DemoPost(
        slug="full-text-search-without-a-search-engine",
        author=AUTHOR,
        title="Full-text search without a search engine",
        body=(
            "Before running a separate search service, see how far PostgreSQL "
            "takes you. Its full-text search turns each document into a list of "
            "normalised words and matches queries against it, with stemming, "
            "ranking and phrase search built in.\n\n"
            "The trick that makes it fast is a GIN index over to_tsvector with a "
            "fixed text search configuration. The query must use the same "
            "expression, configuration included, or the planner cannot use the "
            "index and falls back to reading every row.\n\n"
            "It will not replace a dedicated engine for typo tolerance or faceted "
            "navigation across millions of documents. For a publication of a few "
            "hundred thousand posts, it is one less system to run and keep in "
            "step with the database."
        ),
        tags=("PostgreSQL", "Search"),
        published=False,
    ),
    DemoPost(
        slug="when-the-cache-goes-away",
        author=AUTHOR2,
        title="When the cache goes away",
        body=(
            "A cache should make a site faster, never make it fail. Decide early "
            "what happens when Redis stops answering: with short timeouts and "
            "errors treated as misses, every request goes to the database, which "
            "is slower but still correct.\n\n"
            "Invalidation is the harder half. Rather than deleting every key a "
            "write might affect, keep a generation number in the cache and put "
            "it into every key; a write bumps the number, and the stale entries "
            "are simply never read again and expire on their own.\n\n"
            "Time-to-live values then become a safety net rather than the plan. "
            "Keep them short for anything a user can change, and watch the hit "
            "rate after each deployment: a sudden drop means a key changed shape "
            "and the cache is doing nothing."
        ),
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
