"""The newsletter opt-in on the sign-up form: one unticked box, recorded with source "sign_up".

Registered with ``accounts.sign_up_questions`` when the app loads (consents/apps.py), because
accounts may not import consents. Only the newsletter by e-mail is asked here, so the box says
exactly what it is for; surveys, information and post are chosen on the Communicatie page.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.sign_up_questions import SignUpQuestion, sign_up_question_register
from consents.models import CommunicationConsent
from consents.services.communications import communication_choose

NAME = "newsletter_by_email"


def _field() -> forms.Field:
    return forms.BooleanField(
        required=False,
        initial=False,
        label=_("Ja, stuur me de nieuwsbrief van iLusmart per e-mail."),
        help_text=_(
            "Afmelden kan altijd, met één klik in elke nieuwsbrief. Enquêtes, informatie en post kies je later op de pagina Communicatie."
        ),
    )


def _record(*, user, answer) -> None:
    if answer is True:
        communication_choose(
            user=user,
            channel=CommunicationConsent.Channel.EMAIL,
            topic=CommunicationConsent.Topic.NEWSLETTER,
            opted_in=True,
            source=CommunicationConsent.Source.SIGN_UP,
        )


def sign_up_question_add() -> None:
    sign_up_question_register(SignUpQuestion(name=NAME, field=_field, record=_record))
