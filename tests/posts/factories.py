"""Factories for posts models (rows only: counters are the services' business)."""

import factory
from django.utils import timezone

from accounts.models import Role
from posts.models import Comment, Post, PostStatus, Tag
from tests.accounts.factories import UserFactory


class TagFactory(factory.django.DjangoModelFactory[Tag]):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.LazyAttribute(lambda tag: tag.name.lower().replace(" ", "-"))


class PostFactory(factory.django.DjangoModelFactory[Post]):
    """A draft by a new author; ``published=True`` publishes it."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(
            status=PostStatus.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
        )

    author = factory.SubFactory(UserFactory, role=Role.AUTHOR)
    title = factory.Faker("sentence", nb_words=5)
    slug = factory.Sequence(lambda n: f"post-{n}")
    body = factory.Faker("paragraph")
    status = PostStatus.DRAFT
    published_at = None


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory, published=True)
    author = factory.SubFactory(UserFactory)
    body = factory.Faker("sentence")
