"""Content in the Django admin for editors and admins; saves go through services."""

from collections.abc import Callable
from functools import partial
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from accounts.policies import can_manage_users
from core.admin_site import ViewOnlyMixin, short_datetime
from core.errors import ApplicationError
from posts import policies, services
from posts.errors import TagNameTaken
from posts.models import Comment, DeletedPost, Post, Tag


class ContentAdmin(SimpleHistoryAdmin):
    """Content for moderators (``policies.can_moderate``); refusals as messages.

    Each object's "History" page lists its audit trail (core.audit) and can
    revert to an earlier version; the revert is saved through the services.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.can_moderate(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_moderate(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policies.can_moderate(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_moderate(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_moderate(request.user)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return _without_user_links(request, super().get_fields(request, obj))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return _without_user_links(request, super().get_readonly_fields(request, obj))

    @admin.display(description="author")
    def author_name(self, obj: Any) -> str | None:
        return obj.author.display_name if obj and obj.author_id else None

    def history_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        if not _may_open_users(request):
            # No view name: the history template then shows who, unlinked.
            extra_context = {**(extra_context or {}), "admin_user_view": ""}
        return super().history_view(request, object_id, extra_context)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        view = partial(super().changeform_view, request, *args, **kwargs)
        return self._refuse_application_errors(request, view)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        view = partial(super().delete_view, request, *args, **kwargs)
        return self._refuse_application_errors(request, view)

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Actions (publish, bulk delete) run inside the changelist view.
        view = partial(super().changelist_view, request, *args, **kwargs)
        return self._refuse_application_errors(request, view)

    def _refuse_application_errors(
        self, request: HttpRequest, view: Callable[[], HttpResponse]
    ) -> HttpResponse:
        """Run the view in one transaction; show a domain error's message instead.

        A refused change so leaves nothing half done, an action on many
        posts included.
        """
        try:
            with transaction.atomic():
                return view()
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _may_open_users(request: HttpRequest) -> bool:
    return isinstance(request.user, User) and can_manage_users(request.user)


def _without_user_links(request: HttpRequest, fields: Any) -> tuple[str, ...]:
    """Show the author as a name to those who may not open users (a link 403s)."""
    if _may_open_users(request):
        return tuple(fields)
    return tuple("author_name" if name == "author" else name for name in fields)


def _adopt(obj: Post, saved: Post) -> None:
    """Copy what the service saved onto the admin's instance (for its redirects)."""
    for field in Post._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


@admin.register(Post)
class PostAdmin(ContentAdmin):
    # Fits a 1280 px screen: the creation date is in the date hierarchy
    # and the filters, not a column; the slug tells posts titled alike apart.
    list_display = (
        "title",
        "slug",
        "author_name",
        "status",
        short_datetime("published_at", "published"),
        "likes",
        "comments",
    )
    list_filter = (
        "status",
        ("author", admin.RelatedOnlyFieldListFilter),
        ("tags", admin.RelatedOnlyFieldListFilter),
        "published_at",
        "created_at",
    )
    list_select_related = ("author",)
    search_fields = ("title", "slug")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    prepopulated_fields = {"slug": ("title",)}
    fields = (
        "title",
        "slug",
        "author",
        "status",
        "body",
        "tags",
        "published_at",
        "like_count",
        "comment_count",
        "created_at",
        "updated_at",
    )
    actions = ("publish", "unpublish")

    def get_readonly_fields(
        self, request: HttpRequest, obj: Post | None = None
    ) -> tuple[str, ...]:
        readonly: tuple[str, ...] = (
            "published_at",
            "like_count",
            "comment_count",
            "created_at",
            "updated_at",
        )
        # An editor's new post is their own; only some may reassign posts.
        if not policies.can_reassign_post(request.user):
            readonly = ("author", *readonly)
        return _without_user_links(request, readonly)

    @admin.display(description="author", ordering="author__display_name")
    def author_name(self, obj: Post) -> str | None:
        return obj.author.display_name if obj.author_id else None

    @admin.display(description="likes", ordering="like_count")
    def likes(self, obj: Post) -> int:
        return obj.like_count

    @admin.display(description="comments", ordering="comment_count")
    def comments(self, obj: Post) -> int:
        return obj.comment_count

    def get_autocomplete_fields(self, request: HttpRequest) -> tuple[str, ...]:
        if policies.can_reassign_post(request.user):
            return ("author", "tags")
        return ("tags",)

    def save_model(
        self, request: HttpRequest, obj: Post, form: ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "body": data["body"],
            "slug": data["slug"],
            "tags": [tag.name for tag in data["tags"]],
        }
        if change:
            post = services.post_update(post=obj, author=data.get("author"), **fields)
        else:
            author = data.get("author") or cast(User, request.user)
            post = services.post_create(author=author, **fields)
        if data["status"] == Post.Status.PUBLISHED:
            post = services.post_publish(post=post)
        else:
            post = services.post_unpublish(post=post)
        _adopt(obj, post)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        # The tags were saved by the service (which keeps tag counts exact).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        services.post_delete(post=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.post_delete(post=post)

    @admin.action(description="Publish the selected posts")
    def publish(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.post_publish(post=post)
        self.message_user(request, "Published.", messages.SUCCESS)

    @admin.action(description="Unpublish the selected posts (back to draft)")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.post_unpublish(post=post)
        self.message_user(request, "Returned to draft.", messages.SUCCESS)


@admin.register(Comment)
class CommentAdmin(ContentAdmin):
    """Moderation: comments are written through the API, edited or removed here."""

    list_display = (
        "__str__",
        "post",
        "author_name",
        short_datetime("created_at", "created"),
    )
    list_select_related = ("post", "author")
    search_fields = ("body",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = ("post", "author", "body", "created_at", "updated_at")
    readonly_fields = ("post", "author", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Comment, form: ModelForm, change: bool
    ) -> None:
        form.instance = services.comment_update(
            comment=obj, body=form.cleaned_data["body"]
        )

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        services.comment_delete(comment=obj)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[Comment]
    ) -> None:
        for comment in queryset:
            services.comment_delete(comment=comment)


class TagAdminForm(forms.ModelForm):
    """A tag's name; the slug follows it and must not belong to another tag."""

    class Meta:
        model = Tag
        fields = ("name",)

    def clean_name(self) -> str:
        try:
            name, slug = Tag.objects.clean_name(self.cleaned_data["name"])
        except ApplicationError as error:
            raise ValidationError(error.message) from error
        self.instance.slug = slug
        return name

    def validate_unique(self) -> None:
        """Check the slug's unique constraint, which ModelForm skips (no field).

        Only to say so on the form: the service still maps the database's
        refusal (a concurrent rename) to the same error.
        """
        if "name" not in self.cleaned_data:
            return
        try:
            self.instance.validate_constraints(exclude={"name", "post_count"})
        except ValidationError:
            self.add_error("name", TagNameTaken(slug=self.instance.slug).message)


@admin.register(Tag)
class TagAdmin(ContentAdmin):
    """Tags are created on first use; here they are renamed or removed."""

    form = TagAdminForm
    list_display = ("name", "slug", "post_count")
    search_fields = ("name", "slug")
    ordering = ("slug",)
    fields = ("name", "slug", "post_count")
    readonly_fields = ("slug", "post_count")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Tag, form: ModelForm, change: bool
    ) -> None:
        services.tag_rename(tag=obj, name=form.cleaned_data["name"])


@admin.register(DeletedPost)
class DeletedPostAdmin(ViewOnlyMixin, ContentAdmin):
    """Posts that were deleted and not restored since, with a "Restore" action."""

    list_display = (
        "title",
        "id",
        "author",
        "status",
        short_datetime("history_date", "deleted"),
        "history_user",
    )
    list_select_related = ("history_user",)
    search_fields = ("title", "slug")
    ordering = ("-history_date", "-history_id")
    actions = ("restore",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .filter(history_type="-")
            .exclude(id__in=Post.objects.values("pk"))
        )

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Actions need a permission to show; restoring is moderation.
        actions = super().get_actions(request)
        if not policies.can_moderate(request.user):
            actions.pop("restore", None)
        return actions

    @admin.action(description="Restore the selected posts (without comments and likes)")
    def restore(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for record in queryset:
            services.post_restore(
                history_id=record.history_id, actor=cast(User, request.user)
            )
        self.message_user(request, "Restored.", messages.SUCCESS)
