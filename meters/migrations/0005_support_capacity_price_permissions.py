from django.db import migrations

from accounts.roles import SUPPORT, grant

SUPPORT_METERS = ["view_capacitytariffprice", "add_capacitytariffprice", "change_capacitytariffprice"]


def grant_support(apps, schema_editor):
    grant(apps, "meters", SUPPORT, SUPPORT_METERS)


class Migration(migrations.Migration):
    dependencies = [
        ("meters", "0004_capacitytariffprice"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_support, migrations.RunPython.noop)]
