"""Query parameters of the users list."""

from accounts.models import Role, User
from core.filters import FilterSet, NonEmptyChoiceFilter, StrictBooleanFilter


class UserFilter(FilterSet):
    """``role`` and ``is_active``; an empty or unusable value is a 400."""

    role = NonEmptyChoiceFilter(choices=Role.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = User
        fields = ["role", "is_active"]
