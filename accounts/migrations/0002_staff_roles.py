from django.db import migrations

from accounts.roles import DPO, ROLE_PERMISSIONS, SUPPORT, grant


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in (SUPPORT, DPO):
        Group.objects.get_or_create(name=role)
        for app_label, codenames in ROLE_PERMISSIONS[role].items():
            grant(apps, app_label, role, codenames)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[SUPPORT, DPO]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
