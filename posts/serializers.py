"""Input and output shapes of posts, comments, tags and likes."""

from rest_framework import serializers

from accounts.models import User
from core import fields
from core.errors import InvalidInput
from posts.excerpts import EXCERPT_LENGTH
from posts.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    MAX_TAGS_PER_POST,
    TAG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Comment,
    Post,
    Tag,
)


class AuthorSerializer(fields.ModelSerializer):
    """The public face of a user: never the e-mail."""

    class Meta:
        model = User
        fields = ["id", "display_name"]
        read_only_fields = fields


class TagRefSerializer(fields.ModelSerializer):
    """A tag as a post shows it: the slug to filter by and the name to print."""

    slug = fields.CharField(read_only=True)

    class Meta:
        model = Tag
        fields = ["slug", "name"]
        read_only_fields = fields


POST_SUMMARY_FIELDS = [
    "id",
    "slug",
    "title",
    "excerpt",
    "status",
    "author",
    "tags",
    "like_count",
    "liked_by_me",
    "comment_count",
    "created_at",
    "updated_at",
    "published_at",
]


class PostSummarySerializer(fields.ModelSerializer):
    """A post in a list: everything but the body, which only the detail carries."""

    # A plain string in the schema: slugs keep Unicode letters, which the
    # ASCII-only pattern of a SlugField would wrongly exclude.
    slug = fields.CharField(read_only=True)
    excerpt = fields.CharField(
        read_only=True,
        help_text=f"The body's opening words on one line, at most {EXCERPT_LENGTH} "
        "characters, cut between words; a cut ends in \u2026.",
    )
    author = AuthorSerializer(read_only=True)
    tags = TagRefSerializer(many=True, read_only=True)
    # Annotated by PostQuerySet.with_liked_by_me (False for anonymous callers).
    liked_by_me = serializers.BooleanField(read_only=True)

    class Meta:
        model = Post
        fields = POST_SUMMARY_FIELDS
        read_only_fields = fields


class PostSerializer(PostSummarySerializer):
    """A post as every reader sees it, body included."""

    class Meta(PostSummarySerializer.Meta):
        fields = [*POST_SUMMARY_FIELDS[:4], "body", *POST_SUMMARY_FIELDS[4:]]
        read_only_fields = fields


class TagNameField(fields.CharField):
    """A tag name: up to 50 characters that slugify to something."""

    # At least one letter or digit, as the slug needs (core.openapi).
    schema_pattern = "^[^\\u0000]*[^\\W_][^\\u0000]*$"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_length=TAG_MAX_LENGTH, **kwargs)  # type: ignore[arg-type]

    def to_internal_value(self, data: str) -> str:
        try:
            name, _ = Tag.objects.clean_name(super().to_internal_value(data))
        except InvalidInput as error:
            raise serializers.ValidationError(error.message, code=error.code) from error
        return name


class PostWriteSerializer(serializers.Serializer):
    """What a client may set on a post: its text and tags, nothing else."""

    title = fields.CharField(min_length=1, max_length=TITLE_MAX_LENGTH)
    # PUT replaces the whole post: an omitted body or tags list becomes empty.
    # PATCH leaves omitted fields as they are.
    body = fields.CharField(
        max_length=BODY_MAX_LENGTH,
        allow_blank=True,
        trim_whitespace=False,
        required=False,
        default="",
    )
    tags = serializers.ListField(
        child=TagNameField(),
        max_length=MAX_TAGS_PER_POST,
        required=False,
        default=list,
    )


class CommentSerializer(fields.ModelSerializer):
    """A comment; only its body is writable."""

    author = AuthorSerializer(read_only=True)
    body = fields.CharField(min_length=1, max_length=COMMENT_MAX_LENGTH)

    class Meta:
        model = Comment
        fields = ["id", "post", "author", "body", "created_at", "updated_at"]
        read_only_fields = ["id", "post", "author", "created_at", "updated_at"]


class LikeStateSerializer(serializers.Serializer):
    """The caller's like of a post and the post's like count."""

    liked = serializers.BooleanField(read_only=True)
    like_count = serializers.IntegerField(read_only=True)


class TagSerializer(fields.ModelSerializer):
    """A tag with the number of published posts carrying it."""

    slug = fields.CharField(read_only=True)

    class Meta:
        model = Tag
        fields = ["name", "slug", "post_count"]
        read_only_fields = fields
