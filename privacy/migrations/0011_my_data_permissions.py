from django.db import migrations

from accounts.roles import DPO, SUPPORT, grant

# Pausing a customer's processing (and resuming it): support and the DPO, with a reason.
# Partners and their legal basis are kept by the DPO; support reads them and shares a customer's
# data with one (each sharing writes a disclosure, read-only for everyone). The DPO reads the
# downloads of Mijn gegevens. Superusers may do everything.
DPO_PRIVACY = [
    "restrict_processing",
    "view_partner",
    "add_partner",
    "change_partner",
    "delete_partner",
    "view_disclosure",
    "view_dataexport",
]
SUPPORT_PRIVACY = ["restrict_processing", "view_partner", "view_disclosure", "share_with_partner"]


def grant_roles(apps, schema_editor):
    grant(apps, "privacy", DPO, DPO_PRIVACY)
    grant(apps, "privacy", SUPPORT, SUPPORT_PRIVACY)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0010_my_data_exports_disclosures"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
