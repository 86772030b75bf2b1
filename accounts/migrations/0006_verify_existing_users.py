"""Mark every account that predates e-mail verification as verified.

Those accounts were created before anyone could verify an address; treating
them as unverified would suddenly stop their owners from writing. They are
stamped with the time of the migration: when they were accepted as they are.
"""

from django.db import migrations
from django.utils import timezone


def verify_existing_users(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_verified_at__isnull=True).update(
        email_verified_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_email_verified_at"),
    ]

    operations = [
        # Going back leaves the stamps: the column is dropped one step earlier.
        migrations.RunPython(verify_existing_users, migrations.RunPython.noop),
    ]
