from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Klanten en medewerkers")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from accounts.services.sessions import (
            session_login_record,
            session_login_stamp,
            session_logout_forget,
        )

        user_logged_in.connect(session_login_stamp, dispatch_uid="accounts.session_login_stamp")
        user_logged_in.connect(session_login_record, dispatch_uid="accounts.session_login_record")
        user_logged_out.connect(session_logout_forget, dispatch_uid="accounts.session_logout_forget")
