from django.db import migrations

from accounts.roles import DPO, SUPPORT, grant

# The DPO drafts, publishes and (drafts only) deletes the privacy statement and cookie policy;
# support reads them, to answer customers' questions. Superusers may do everything.
DPO_PRIVACY = [
    "view_policydocument",
    "add_policydocument",
    "change_policydocument",
    "delete_policydocument",
    "publish_policydocument",
]
SUPPORT_PRIVACY = ["view_policydocument"]


def grant_roles(apps, schema_editor):
    grant(apps, "privacy", DPO, DPO_PRIVACY)
    grant(apps, "privacy", SUPPORT, SUPPORT_PRIVACY)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
