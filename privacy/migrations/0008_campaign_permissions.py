from django.db import migrations

from accounts.roles import DPO, SUPPORT, grant

# Support composes campaigns and sends them (e-mail) or exports their postal addresses (post):
# it is the staff role that talks to customers. The DPO reads them, to check what was sent to
# whom and why; only superusers delete drafts. Nobody changes a campaign once it went out.
SUPPORT_CAMPAIGNS = ["view_campaign", "add_campaign", "change_campaign", "send_campaign"]
DPO_CAMPAIGNS = ["view_campaign"]


def grant_roles(apps, schema_editor):
    grant(apps, "privacy", SUPPORT, SUPPORT_CAMPAIGNS)
    grant(apps, "privacy", DPO, DPO_CAMPAIGNS)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0007_campaigns"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
