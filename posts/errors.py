"""What can go wrong with posts, comments and tags, in the domain's words.

Kinds from ``core.errors``: the API renders each as its envelope, the admin
shows the message. Nothing here imports DRF.
"""

from core.errors import InvalidInput, ObjectNotFound, StateConflict


class InvalidTagName(InvalidInput):
    """A tag name slugifies to nothing: it has no letter or digit."""

    default_message = "A tag name needs at least one letter or digit."
    default_code = "invalid"


class TagSlugTooLong(InvalidInput):
    """A tag name whose slug would not fit the slug column."""

    default_code = "max_length"

    def __init__(self, *, max_length: int, field: str | None = None) -> None:
        super().__init__(
            f"Ensure this tag's slug has no more than {max_length} characters.",
            field=field,
        )


class TagNameTaken(StateConflict):
    """Another tag already has the slug a rename would give this one."""

    def __init__(self, *, slug: str) -> None:
        super().__init__(f"The tag {slug!r} exists already.")


class PostNotFound(ObjectNotFound):
    """The post is gone, or (for likes and comments) is not published."""


class CommentNotFound(ObjectNotFound):
    """The comment is gone."""


class SlugUnavailable(StateConflict):
    """Every slug tried for a new post was taken by a concurrent insert."""

    default_message = "Could not find a free slug for this post; try again."
