"""Choices shared by the models and their querysets."""

from django.db import models


class PostStatus(models.TextChoices):
    """A post is a draft, visible to its author and editors, until published."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
