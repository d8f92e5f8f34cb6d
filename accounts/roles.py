"""Staff roles, as auth groups. The data migrations of each app grant their permissions."""

SUPPORT = "support"  # customers, meters, faults; never deletes people
DPO = "dpo"  # data-protection requests

ROLE_PERMISSIONS = {
    SUPPORT: {
        "accounts": ["view_user", "change_user", "view_profile", "change_profile"],
    },
    DPO: {
        "accounts": ["view_user", "view_profile"],
    },
}


def grant(apps, app_label: str, role: str, codenames: list[str]) -> None:
    """Give `role` these permissions of `app_label` (for use in data migrations)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; a data migration must create them itself.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=role)
    perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    found = set(perms.values_list("codename", flat=True))
    missing = set(codenames) - found
    if missing:
        raise RuntimeError(f"permissions not found for {role}: {sorted(missing)}")
    group.permissions.add(*perms)
