from django.db import migrations

from accounts.roles import DPO, grant

# The DPO reads the consent side: mandates (with their evidence) and refused fetches.
DPO_CONSENTS = ["view_mandate", "view_fetchrefusal"]


def grant_dpo(apps, schema_editor):
    grant(apps, "consents", DPO, DPO_CONSENTS)


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0001_initial"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_dpo, migrations.RunPython.noop)]
