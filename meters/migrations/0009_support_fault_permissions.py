from django.db import migrations

from accounts.roles import SUPPORT, grant

# Support follows faults up: sees, opens and handles them and their contact notes; never deletes.
SUPPORT_METERS = [
    "view_fault", "add_fault", "change_fault",
    "view_faultnote", "add_faultnote", "change_faultnote",
]


def grant_support(apps, schema_editor):
    grant(apps, "meters", SUPPORT, SUPPORT_METERS)


class Migration(migrations.Migration):
    dependencies = [
        ("meters", "0008_fault"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_support, migrations.RunPython.noop)]
