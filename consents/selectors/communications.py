"""Reads on communication choices: what a person chose, who may be sent a campaign, unsubscribe links.

A person is opted in to a channel and topic when their latest ``CommunicationConsent`` row for
it says yes; no row means no. A campaign goes only to ``communication_audience``: opted in,
active, not staff, not paused (``consents.selectors.restriction``) and, by email, with a
confirmed address. The unsubscribe link in every message holds a signed token naming the
person, channel and topic; ``unsubscribe_token_read`` refuses a token that was altered.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consents.models import CommunicationConsent
from consents.selectors.restriction import restricted_user_ids
from ilusmart import errors
from ilusmart.errors import ApplicationError

Channel = CommunicationConsent.Channel
Topic = CommunicationConsent.Topic
UNSUBSCRIBE_SALT = "consents.communications.unsubscribe"


class UnsubscribeLinkInvalid(ApplicationError):
    kind = errors.INVALID
    default_code = "unsubscribe_link_invalid"


@dataclass(frozen=True)
class CommunicationChoice:
    """A person's current answer for one channel and topic (``at``/``source`` empty: never chosen)."""

    channel: str
    topic: str
    opted_in: bool
    at: datetime | None
    source: str


@dataclass(frozen=True)
class UnsubscribeTarget:
    user: object
    channel: str
    topic: str


def communication_choices(*, user) -> list[CommunicationChoice]:
    """The person's answer for every channel and topic, channel by channel (e-mail first)."""
    latest = {
        (row.channel, row.topic): row
        for row in CommunicationConsent.objects.filter(user=user)
        .order_by("channel", "topic", "-at", "-pk")
        .distinct("channel", "topic")
    }
    choices = []
    for channel in Channel.values:
        for topic in Topic.values:
            row = latest.get((channel, topic))
            choices.append(
                CommunicationChoice(
                    channel=channel,
                    topic=topic,
                    opted_in=bool(row and row.opted_in),
                    at=row.at if row else None,
                    source=row.source if row else "",
                )
            )
    return choices


def communication_opted_in(*, user, channel: str, topic: str) -> bool:
    """True when the person's latest choice for this channel and topic is yes."""
    row = (
        CommunicationConsent.objects.filter(user=user, channel=channel, topic=topic)
        .order_by("-at", "-pk")
        .values_list("opted_in", flat=True)
        .first()
    )
    return bool(row)


def communication_history(*, user):
    """Every choice the person made, newest first (for their page and for staff)."""
    return CommunicationConsent.objects.filter(user=user).order_by("-at", "-pk")


def communication_audience(*, channel: str, topic: str):
    """The people a campaign on ``channel`` and ``topic`` may reach now, by id.

    Opted in (latest choice yes), active, not staff, processing not paused; by e-mail their
    address is confirmed, by post they have a profile (their address).
    """
    latest = (
        CommunicationConsent.objects.filter(user=OuterRef("pk"), channel=channel, topic=topic)
        .order_by("-at", "-pk")
        .values("opted_in")[:1]
    )
    people = (
        get_user_model()
        .objects.annotate(latest_choice=Subquery(latest))
        .filter(latest_choice=True, is_active=True, is_staff=False)
        .exclude(pk__in=restricted_user_ids())
    )
    if channel == Channel.EMAIL:
        people = people.filter(email_verified_at__isnull=False)
    else:
        people = people.filter(profile__isnull=False)
    return people.order_by("pk")


def communication_may_send(*, user, channel: str, topic: str) -> bool:
    """The same test as ``communication_audience``, for one person at the moment of sending."""
    return communication_audience(channel=channel, topic=topic).filter(pk=user.pk).exists()


def unsubscribe_token_make(*, user, channel: str, topic: str) -> str:
    """A signed token naming the person, channel and topic (no expiry: an old mail's link works)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([user.pk, channel, topic])


def unsubscribe_url(*, user, channel: str, topic: str) -> str:
    """The absolute https address of the one-click unsubscribe for this person, channel and topic."""
    token = unsubscribe_token_make(user=user, channel=channel, topic=topic)
    return settings.SITE_URL + reverse("consents:unsubscribe", args=[token])


def unsubscribe_token_read(*, token: str) -> UnsubscribeTarget:
    """Who and what an unsubscribe token names; ``UnsubscribeLinkInvalid`` when it was altered."""
    invalid = UnsubscribeLinkInvalid(
        _("Deze afmeldlink is ongeldig: hij werd gewijzigd of onvolledig gekopieerd.")
    )
    try:
        user_id, channel, topic = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise invalid from None
    if channel not in Channel.values or topic not in Topic.values or not isinstance(user_id, int):
        raise invalid
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise UnsubscribeLinkInvalid(
            _("Deze afmeldlink hoort bij een account dat niet meer bestaat: je krijgt van ons niets meer."),
            code="unsubscribe_account_gone",
        )
    return UnsubscribeTarget(user=user, channel=channel, topic=topic)
