from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Mandaten en toestemmingen")

    def ready(self):
        # The newsletter opt-in on the sign-up form: accounts may not import consents, so
        # consents adds its question there (accounts.sign_up_questions).
        from consents.sign_up import sign_up_question_add

        sign_up_question_add()
