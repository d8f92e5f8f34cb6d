from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Klanten en medewerkers")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.services.sessions import session_login_stamp

        user_logged_in.connect(session_login_stamp, dispatch_uid="accounts.session_login_stamp")
