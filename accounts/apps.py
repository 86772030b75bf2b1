from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from accounts import schema  # noqa: F401  (registers the extension)
        from accounts.models import ApiKey, User
        from accounts.receivers import (
            record_session_login,
            refresh_api_key_cache,
            refresh_auth_state,
        )

        # Django's own receiver saves last_login behind the user service's
        # back (and so behind the user cache's); record it through the service.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(record_session_login, dispatch_uid="accounts_login")
        post_save.connect(
            refresh_auth_state, sender=User, dispatch_uid="accounts_auth_state"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                refresh_api_key_cache, sender=ApiKey, dispatch_uid="accounts_api_key"
            )
