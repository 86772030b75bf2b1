"""HTTP glue for posts, comments, likes and tags; the services do the work.

Every write checks, in this order: credentials (401), then whether the
caller can see the object (404), then whether the role allows the action (403),
then, for writing and changing content, whether the caller's e-mail address is
verified (403 EMAIL_NOT_VERIFIED). Deleting one's own content and liking need
no verified address.
"""

from functools import cached_property
from typing import Any, cast

import orjson
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.models import User
from accounts.permissions import HasVerifiedEmail
from core.openapi import NO_NUL
from core.pagination import PageNumberPagination
from core.query_parameters import QueryParametersMixin
from core.renderers import FastJSONRenderer
from core.response_cache import SharedPage, shared_page_of
from posts import services
from posts.choices import PostStatus
from posts.filters import PostFilter, PostOrderingFilter
from posts.models import Comment, Post, Tag
from posts.pagination import CommentCursorPagination, PostCursorPagination
from posts.permissions import (
    CanComment,
    CanCreatePost,
    CanEditComment,
    CanEditPost,
    CanLike,
)
from posts.representations import (
    detail_rows,
    liked_by_me_overlay,
    post_detail,
    post_summaries,
    summary_rows,
)
from posts.serializers import (
    CommentSerializer,
    LikeStateSerializer,
    PostSerializer,
    PostSummarySerializer,
    PostWriteSerializer,
    TagSerializer,
)


def _unliked(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the posts as an anonymous reader sees them: none liked."""
    return [{**post, "liked_by_me": False} for post in posts]


def _public_rendering(data: dict[str, Any]) -> bytes:
    """Render data as the posts views render it for an anonymous reader."""
    return FastJSONRenderer().render(data, "application/json")


def _link_header_of(shared: SharedPage) -> dict[str, str]:
    link = shared.header("Link")
    return {"Link": link} if link else {}


def _is_read(request: Request) -> bool:
    return request.method in permissions.SAFE_METHODS


# Reads are AllowAny (which the schema shows as optional authentication):
# what a caller may read is decided by the queryset, through posts.policies.

# The id routes take digits only (lookup_value_regex), which drf-spectacular
# would document as a string with a pattern: the id is the post's integer.
_POST_ID = extend_schema(
    parameters=[
        OpenApiParameter(
            "id",
            int,
            OpenApiParameter.PATH,
            description="A unique integer value identifying this post.",
        )
    ]
)


@extend_schema_view(
    **dict.fromkeys(
        (
            "retrieve",
            "update",
            "partial_update",
            "destroy",
            "publish",
            "unpublish",
            "like",
        ),
        _POST_ID,
    )
)
class PostViewSet(QueryParametersMixin, viewsets.ModelViewSet):
    """Posts: public reads, writes by their author or an editor."""

    # Reads are rendered from rows (posts.representations); the serializers
    # document them (the schema) and validate writes. Docstrings here are
    # operation descriptions in the schema, so the read methods carry comments.

    # Class-level queryset only documents the path parameter type; requests
    # are always scoped to the caller by get_queryset.
    queryset = Post.objects.none()
    serializer_class = PostSerializer
    # Ids only: "posts/slug/" is no post.
    lookup_value_regex = r"\d+"
    pagination_class = PostCursorPagination
    filter_backends = [DjangoFilterBackend, PostOrderingFilter]
    filterset_class = PostFilter
    renderer_classes = [FastJSONRenderer]

    def get_permissions(self) -> list[BasePermission]:
        if _is_read(self.request):
            return [permissions.AllowAny()]
        if self.action == "create":
            return [CanCreatePost(), HasVerifiedEmail()]
        if self.action == "like":
            return [CanLike()]
        if self.action == "destroy":
            return [CanEditPost()]
        # update, partial_update, publish, unpublish
        return [CanEditPost(), HasVerifiedEmail(on_object=True)]

    def get_serializer_class(self) -> type[BaseSerializer]:
        # Lists carry excerpts; the body comes with one post at a time.
        return PostSummarySerializer if self.action == "list" else PostSerializer

    def get_queryset(self) -> QuerySet[Post]:
        user = self.request.user
        if self.action == "like":
            # Likes exist only on published posts: a draft is 404 to everyone.
            return Post.objects.published()
        posts = Post.objects.visible_to(user)
        if _is_read(self.request):
            posts = posts.with_liked_by_me(user)
        if self.action == "list":
            posts = posts.with_excerpt()
        return posts

    def filter_queryset(self, queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
        # The list's filters (published by default) must not hide a draft
        # from its author when it is fetched by id.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The posts the caller may read, newest published first.
        shared = self._shared_page()
        if shared is not None and shared.body is not None:
            page = orjson.loads(shared.body)
            liked_by_me_overlay(page["results"], user=request.user)
            return Response(page, headers=_link_header_of(shared))
        rows = self.paginate_queryset(
            summary_rows(self.filter_queryset(self.get_queryset()))
        )
        response = self.get_paginated_response(post_summaries(cast(list, rows)))
        if shared is not None:
            shared.public_body = _public_rendering(
                {**response.data, "results": _unliked(response.data["results"])}
            )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # One post, body included.
        return self._detail(pk=kwargs["pk"])

    def _detail(self, **lookup: Any) -> Response:
        """Answer one post found by lookup, shared with anonymous readers if public."""
        shared = self._shared_page()
        if shared is not None and shared.body is not None:
            post = orjson.loads(shared.body)
            liked_by_me_overlay([post], user=self.request.user)
            return Response(post, headers=_link_header_of(shared))
        # Reads are AllowAny: no object permission to check on a row.
        post = post_detail(
            get_object_or_404(detail_rows(self.get_queryset()), **lookup)
        )
        if shared is not None and post["status"] == PostStatus.PUBLISHED:
            shared.public_body = _public_rendering(_unliked([post])[0])
        return Response(post)

    def _shared_page(self) -> SharedPage | None:
        """Return the public page this member's read may overlay, if it may."""
        shared = shared_page_of(self.request)
        if shared is None or not self.request.user.is_authenticated:
            return None
        status = self.request.query_params.get("status", PostStatus.PUBLISHED)
        # Only liked_by_me differs between readers of public posts; drafts
        # are per caller and never shared.
        return shared if status == PostStatus.PUBLISHED else None

    def _read(self, post: Post) -> dict[str, Any]:
        """Return the post as the caller now sees it."""
        posts = Post.objects.with_liked_by_me(self.request.user)
        return post_detail(detail_rows(posts).get(pk=post.pk))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "slug",
                {"type": "string", "pattern": NO_NUL},
                OpenApiParameter.PATH,
                description="The post's slug.",
            )
        ],
        responses=PostSerializer,
    )
    # No NUL: no stored slug has one, and PostgreSQL cannot even compare it.
    @action(detail=False, url_path=r"slug/(?P<slug>[^/\x00]+)")
    def by_slug(self, request: Request, slug: str) -> Response:
        """Read a post by its slug, as ``posts/{id}/`` would answer.

        The id route is the post's canonical URL (``Link: rel="canonical"``):
        an editor may change a slug in the admin, an id never changes.
        """
        response = self._detail(slug=slug)
        # The routes take an optional slash; reverse() leaves it out, the
        # documented paths end in one.
        path = reverse("post-detail", kwargs={"pk": response.data["id"]})
        canonical = request.build_absolute_uri(path.rstrip("/") + "/")
        response["Link"] = f'<{canonical}>; rel="canonical"'
        return response

    @extend_schema(request=PostWriteSerializer, responses={201: PostSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a draft by the caller."""
        serializer = PostWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.post_create(
            author=cast(User, request.user), **serializer.validated_data
        )
        return Response(self._read(post), status=status.HTTP_201_CREATED)

    @extend_schema(request=PostWriteSerializer, responses=PostSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Replace (PUT) or change (PATCH) a post's title, body and tags."""
        post = self.get_object()
        serializer = PostWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        post = services.post_update(post=post, **serializer.validated_data)
        return Response(self._read(post))

    @extend_schema(request=PostWriteSerializer, responses=PostSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_destroy(self, instance: Post) -> None:
        services.post_delete(post=instance)

    @extend_schema(request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        """Publish the post now (a published post stays as it is)."""
        post = services.post_publish(post=self.get_object())
        return Response(self._read(post))

    @extend_schema(request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def unpublish(self, request: Request, pk: str) -> Response:
        """Return the post to draft and clear its publication time."""
        post = services.post_unpublish(post=self.get_object())
        return Response(self._read(post))

    @extend_schema(request=None, responses={200: LikeStateSerializer})
    @action(detail=True, methods=["post", "delete"])
    def like(self, request: Request, pk: str) -> Response:
        """Like (POST) or unlike (DELETE) a published post; both are idempotent."""
        post, user = self.get_object(), cast(User, request.user)
        if request.method == "DELETE":
            state = services.post_unlike(post=post, user=user)
        else:
            state = services.post_like(post=post, user=user)
        return Response(LikeStateSerializer(state).data)


@extend_schema(
    parameters=[
        OpenApiParameter("post_pk", int, OpenApiParameter.PATH, description="Post id.")
    ]
)
class CommentViewSet(
    QueryParametersMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A published post's comments: anyone reads, members write, owners edit."""

    queryset = Comment.objects.none()
    serializer_class = CommentSerializer
    pagination_class = CommentCursorPagination
    filter_backends: list[type] = []

    def get_permissions(self) -> list[BasePermission]:
        if _is_read(self.request):
            return [permissions.AllowAny()]
        if self.action == "create":
            # Asked about the post, after its lookup (see create).
            return [CanComment(), HasVerifiedEmail(on_object=True)]
        if self.action == "destroy":
            return [CanEditComment()]
        return [CanEditComment(), HasVerifiedEmail(on_object=True)]

    @cached_property
    def parent_post(self) -> Post:
        """Return the post in the path; comments of a draft are 404 to everyone."""
        return get_object_or_404(Post.objects.published(), pk=self.kwargs["post_pk"])

    def get_queryset(self) -> QuerySet[Comment]:
        return Comment.objects.filter(post=self.parent_post).for_list()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Comment on a published post."""
        # A new comment is checked against its post: a draft is 404 before
        # the e-mail check can answer 403.
        self.check_object_permissions(request, self.parent_post)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.comment_create(
            post=self.parent_post,
            author=cast(User, self.request.user),
            body=serializer.validated_data["body"],
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a comment's body (the only writable field)."""
        comment = self.get_object()
        serializer = self.get_serializer(comment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "body" in serializer.validated_data:
            comment = services.comment_update(
                comment=comment, body=serializer.validated_data["body"]
            )
        return Response(self.get_serializer(comment).data)

    def perform_destroy(self, instance: Comment) -> None:
        services.comment_delete(comment=instance)


class TagViewSet(QueryParametersMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Tags in use on published posts, most used first."""

    # Tags only on drafts are left out: their names are not public yet.
    queryset = Tag.objects.filter(post_count__gt=0).order_by("-post_count", "slug")
    serializer_class = TagSerializer
    pagination_class = PageNumberPagination
    permission_classes = [permissions.AllowAny]
    filter_backends: list[type] = []
