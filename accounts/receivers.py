"""Signal receivers of the accounts app (connected in AccountsConfig.ready)."""

from functools import partial
from typing import Any

from django.db import transaction

from accounts.api_keys import api_key_cache_refresh
from accounts.models import ApiKey, User
from accounts.services import user_record_login
from accounts.user_cache import auth_state_refresh


def record_session_login(sender: Any, user: User, **kwargs: Any) -> None:
    """Record a session login (the Django admin) like an API login."""
    user_record_login(user=user)


def refresh_auth_state(sender: Any, instance: User, **kwargs: Any) -> None:
    """Rewrite the user's cached auth state once the saving transaction commits.

    Whatever saved the row (a service, an admin form, ``changepassword``),
    the next request authenticates against what was saved.
    """
    transaction.on_commit(partial(auth_state_refresh, user_id=instance.pk))


def refresh_api_key_cache(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    """Rewrite (or drop) the key's cached row once the transaction commits.

    Saving (a revocation, an admin edit) and deleting (the key's user was
    deleted) alike: the next request authenticates against the database's row.
    """
    transaction.on_commit(partial(api_key_cache_refresh, prefix=instance.prefix))
