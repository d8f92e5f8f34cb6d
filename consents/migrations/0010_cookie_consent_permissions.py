from django.db import migrations

from accounts.roles import DPO, SUPPORT, grant

# Support and the DPO read the cookie choices (to answer a visitor, to show consent was given);
# nobody edits them: the visitor changes their own choice.
VIEW = ["view_cookieconsent"]


def grant_roles(apps, schema_editor):
    grant(apps, "consents", SUPPORT, VIEW)
    grant(apps, "consents", DPO, VIEW)


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0009_mandate_erasure"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
