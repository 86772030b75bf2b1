"""Signal receivers of the accounts app (connected in AccountsConfig.ready)."""

from typing import Any

from accounts.models import User
from accounts.services import user_record_login


def record_session_login(sender: Any, user: User, **kwargs: Any) -> None:
    """Record a session login (the Django admin) like an API login."""
    user_record_login(user=user)
