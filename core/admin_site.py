"""The admin site: Inkwell's branding on django-otp's two-factor admin.

``OTPAdminSite`` lets in only a session whose login passed a second factor
(a TOTP code); its login page asks for the code next to the password. It is
the default site (``core.apps.InkwellAdminConfig``), so ``admin.site`` and
every ``@admin.register`` use it. The login form that also counts failed
codes and explains a missing device is set by ``accounts.admin``.
"""

from django_otp.admin import OTPAdminSite


class InkwellAdminSite(OTPAdminSite):
    """Staff only, and only after a second factor; named "admin" for its URLs."""

    site_header = "Inkwell administration"
    site_title = "Inkwell admin"
    index_title = "Administration"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
