from django.db import migrations

from accounts.roles import SUPPORT, grant

# Support may read the import audit and import a homeowner's CSV export from the meter admin.
SUPPORT_METERS = ["view_readingimport", "import_readings"]


def grant_support(apps, schema_editor):
    grant(apps, "meters", SUPPORT, SUPPORT_METERS)


class Migration(migrations.Migration):
    dependencies = [
        ("meters", "0006_readingimport"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_support, migrations.RunPython.noop)]
