"""E-mail logins for the API, the admin and password re-checks; failures counted."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.login_failures import (
    login_failure_record,
    login_failures_check,
    login_failures_clear,
)
from accounts.mfa import user_has_mfa
from accounts.models import User
from accounts.throttles import client_ip


class EmailBackend(ModelBackend):
    """Log in by e-mail in any letter case, and count failed password checks.

    ``ModelBackend`` finds the user by natural key (the manager ignores the
    e-mail's letter case), hashes even for a missing account, and refuses
    inactive users. Every password check with a request goes through the
    failed-login count (``accounts.login_failures``): a locked-out client
    gets ``LoginLocked`` before any hashing. It is not a PermissionDenied on
    purpose: Django's ``authenticate()`` would turn that into a silent None,
    and callers must tell "locked out" (429, or the admin's message) from
    "wrong password". Calls without a request (scripts, the shell) are not
    counted. For an account with two-factor on, wrong codes count in the
    same way and a right password does not clear them. Permissions come
    from the role (``User.has_perm``), not from backends.
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
            return super().authenticate(request, username=email, password=password)
        ip = client_ip(request)
        login_failures_check(ip=ip, email=email)
        user = super().authenticate(request, username=email, password=password)
        if user is None:
            login_failure_record(ip=ip, email=email)
        elif not user_has_mfa(user):
            login_failures_clear(ip=ip, email=email)
        # With two-factor on, the pair's failures are forgotten only once the
        # second factor passes too: a right password alone must not reset
        # the count of wrong codes (accounts.mfa, the admin login form).
        return user
