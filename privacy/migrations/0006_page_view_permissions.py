from django.db import migrations

from accounts.roles import DPO, grant


# The totals of the page-view log (views per day and per page, never an address) are for the DPO,
# who answers for the log the privacy statement describes and checks that its retention works.
# Support works on customers and meters and has no use for them. Superusers see everything.
def grant_roles(apps, schema_editor):
    grant(apps, "privacy", DPO, ["view_pageview_totals"])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_page_views")]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
