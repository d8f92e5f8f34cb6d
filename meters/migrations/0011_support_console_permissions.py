from django.db import migrations

from accounts.roles import SUPPORT, grant

# Support works from the customer console (meters/admin_customers.py): finds and opens customers,
# adds contact notes (never edits or deletes them) and reads when the periodic tasks ran.
# dpo gets none of it: the DPO reads access records and user pages, not the support console.
SUPPORT_METERS = [
    "use_customer_console",
    "view_contactnote",
    "add_contactnote",
    "view_periodictaskrun",
]


def grant_support(apps, schema_editor):
    grant(apps, "meters", SUPPORT, SUPPORT_METERS)


class Migration(migrations.Migration):
    dependencies = [
        ("meters", "0010_contactnote_periodictaskrun_dutch_labels"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_support, migrations.RunPython.noop)]
