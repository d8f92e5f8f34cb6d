from django.db import migrations

from accounts.roles import DPO, SUPPORT, grant

# Support and the DPO read the history of communication choices (to answer a customer, to show
# consent); nobody edits it: the person changes their own choices.
VIEW = ["view_communicationconsent"]


def grant_roles(apps, schema_editor):
    grant(apps, "consents", SUPPORT, VIEW)
    grant(apps, "consents", DPO, VIEW)


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0007_communication_consent"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
