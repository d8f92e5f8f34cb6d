from django.contrib.admin.apps import AdminConfig


class IlusmartAdminConfig(AdminConfig):
    """Django's admin with our site (accounts.admin_site.IlusmartAdminSite) as ``admin.site``."""

    default_site = "accounts.admin_site.IlusmartAdminSite"

    def ready(self):
        super().ready()
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # django-otp's own device admins would show staff's TOTP keys and English-only pages; a
        # superuser resets someone's second factor from the user admin instead.
        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
