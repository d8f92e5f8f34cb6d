"""Writes on communication choices: a person opts in or out of a channel and topic.

Every change is a new ``CommunicationConsent`` row with its source (sign-up form, the
Communicatie page, the app, an unsubscribe link, one click in a mail program, staff on the
person's request) and time; a choice that changes nothing writes nothing. Opting out is always
possible and takes effect at once: the campaign sender asks
``consents.selectors.communications.communication_may_send`` before each message.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consents.models import CommunicationConsent
from consents.selectors.communications import communication_opted_in, unsubscribe_token_read
from ilusmart import clock, errors
from ilusmart.errors import ApplicationError

logger = logging.getLogger("ilusmart.consents")


class CommunicationChoiceRefused(ApplicationError):
    kind = errors.INVALID
    default_code = "communication_choice_refused"


def _check(*, channel: str, topic: str, source: str) -> None:
    if channel not in CommunicationConsent.Channel.values:
        raise CommunicationChoiceRefused(_("Onbekend kanaal."), code="communication_channel")
    if topic not in CommunicationConsent.Topic.values:
        raise CommunicationChoiceRefused(_("Onbekend onderwerp."), code="communication_topic")
    if source not in CommunicationConsent.Source.values:
        raise CommunicationChoiceRefused(_("Onbekende herkomst van de keuze."), code="communication_source")


def communication_choose(
    *, user, channel: str, topic: str, opted_in: bool, source: str, by=None
) -> CommunicationConsent | None:
    """Record the person's yes or no for ``channel`` and ``topic``; None when it was already so.

    Choices of one person are serialised (a lock on their account row), so two tabs or a mail
    program's one-click and the page never interleave into a wrong "latest".
    """
    _check(channel=channel, topic=topic, source=source)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if communication_opted_in(user=user, channel=channel, topic=topic) == bool(opted_in):
            return None
        row = CommunicationConsent.objects.create(
            user=user,
            channel=channel,
            topic=topic,
            opted_in=bool(opted_in),
            source=source,
            by=by,
            at=clock.now(),
        )
    logger.info(
        "communication %s/%s %s for user %s (source %s)",
        channel,
        topic,
        "opt-in" if opted_in else "opt-out",
        user.pk,
        source,
    )
    return row


def communication_choices_save(*, user, choices: dict, source: str, by=None) -> list[CommunicationConsent]:
    """Record several answers at once (``{(channel, topic): bool}``); returns the rows written."""
    for channel, topic in choices:
        _check(channel=channel, topic=topic, source=source)
    with transaction.atomic():
        rows = [
            communication_choose(
                user=user, channel=channel, topic=topic, opted_in=value, source=source, by=by
            )
            for (channel, topic), value in choices.items()
        ]
    return [row for row in rows if row is not None]


def communication_unsubscribe(*, token: str, one_click: bool) -> CommunicationConsent | None:
    """Opt the person named by an unsubscribe link's token out of its channel and topic, at once.

    ``one_click``: the mail program's RFC 8058 POST (source "one_click") rather than the button
    on the confirmation page (source "unsubscribe_link"). An altered token raises
    ``UnsubscribeLinkInvalid``; unsubscribing twice writes one row.
    """
    target = unsubscribe_token_read(token=token)
    source = (
        CommunicationConsent.Source.ONE_CLICK if one_click else CommunicationConsent.Source.UNSUBSCRIBE_LINK
    )
    return communication_choose(
        user=target.user, channel=target.channel, topic=target.topic, opted_in=False, source=source
    )
