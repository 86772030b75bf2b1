"""Query parameters of the users list."""

import django_filters

from accounts.models import Role, User
from core.filters import NonEmptyChoiceFilter, StrictBooleanFilter


class UserFilter(django_filters.FilterSet):
    """``role`` and ``is_active``; an empty or unusable value is a 400."""

    role = NonEmptyChoiceFilter(choices=Role.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = User
        fields = ["role", "is_active"]
