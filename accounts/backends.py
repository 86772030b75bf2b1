"""E-mail logins for the API, the admin and password re-checks; failures counted."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.login_failures import (
    login_failure_record,
    login_failures_check,
    login_failures_clear,
)
from accounts.models import User
from accounts.throttles import client_ip


class EmailBackend(ModelBackend):
    """Log in by e-mail in any letter case; count failures; permissions from the role.

    Every password check with a request goes through the failed-login count
    (``accounts.login_failures``): a locked-out client gets ``LoginLocked``
    before any hashing. It is not a PermissionDenied on purpose: Django's
    ``authenticate()`` would turn that into a silent None, and callers must
    tell "locked out" (429, or the admin's message) from "wrong password".
    Calls without a request (scripts, the shell) are not counted.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = username or kwargs.get(User.USERNAME_FIELD)
        if email is None or password is None:
            return None
        if request is None:
            return self._user_with_password(email, password)
        ip = client_ip(request)
        login_failures_check(ip=ip, email=email)
        user = self._user_with_password(email, password)
        if user is None:
            login_failure_record(ip=ip, email=email)
        else:
            login_failures_clear(ip=ip, email=email)
        return user

    def _user_with_password(self, email: str, password: str) -> User | None:
        try:
            user = User.objects.get_by_natural_key(email)
        except User.DoesNotExist:
            # Hash anyway so a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    # The role is the permission model: no per-user or group permission rows.
    def get_user_permissions(self, user_obj: Any, obj: object = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: object = None) -> set[str]:
        return set()
