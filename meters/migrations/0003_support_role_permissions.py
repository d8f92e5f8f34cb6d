from django.db import migrations

from accounts.roles import SUPPORT, grant

SUPPORT_METERS = [
    "view_meter", "add_meter", "change_meter",
    "view_product", "add_product", "change_product", "delete_product",
    "view_metersyncstate", "view_syncdeadletter", "change_syncdeadletter",
]
SUPPORT_CONSENTS = ["view_mandate", "view_fetchrefusal"]


def grant_support(apps, schema_editor):
    grant(apps, "meters", SUPPORT, SUPPORT_METERS)
    grant(apps, "consents", SUPPORT, SUPPORT_CONSENTS)


class Migration(migrations.Migration):
    dependencies = [
        ("meters", "0002_metersyncstate_syncdeadletter"),
        ("consents", "0001_initial"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_support, migrations.RunPython.noop)]
