"""Mijn gegevens: everything the portal holds about one homeowner, read for their own page.

``my_data_overview`` gathers, for ``user`` only: the account and profile, meters with their
products and the days of readings that are theirs, mandates, the pause of processing and its
history, their communication and cookie choices, the downloads of their data, and to whom their data was disclosed. The page links to
where each part is corrected; the ZIP (``privacy.services.exports``) holds every field.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, Min

from accounts.models import Profile
from consents.models import CommunicationConsent, CookieConsent, Mandate, ProcessingRestriction
from consents.selectors.communications import communication_choices
from consents.selectors.cookies import cookie_consents_for_user
from consents.selectors.mandates import mandates_for_user
from consents.selectors.restriction import restriction_active, restrictions_for_user
from meters.models import Meter, Product, ReadingDay
from meters.selectors import meters_for_user
from meters.selectors.visibility import visible_periods
from privacy.models import DataExport, Disclosure


@dataclass(frozen=True)
class MeterData:
    meter: Meter
    products: list[Product]
    first_day: object  # date | None: the first stored day of readings that is theirs
    last_day: object


@dataclass(frozen=True)
class CommunicationLine:
    channel: str  # label
    topic: str  # label
    opted_in: bool
    at: object  # datetime | None


@dataclass(frozen=True)
class MyData:
    user: object
    profile: Profile | None
    meters: list[MeterData]
    mandates: list[Mandate]
    pause: ProcessingRestriction | None
    pauses: list[ProcessingRestriction]
    exports: list[DataExport]
    disclosures: list[Disclosure]
    communications: list[CommunicationLine]
    cookie_consent: CookieConsent | None  # their latest cookie choice made while logged in


def disclosures_for_user(*, user):
    """To whom ``user``'s data was disclosed, newest first (the partner and its legal basis)."""
    return Disclosure.objects.filter(customer=user).select_related("partner")


def exports_for_user(*, user, limit: int = 5) -> list[DataExport]:
    """``user``'s latest downloads of their data, newest first."""
    return list(DataExport.objects.filter(user=user)[:limit])


def _meter_data(user, meter: Meter) -> MeterData:
    visible = visible_periods(user=user, meter=meter)
    days = (
        ReadingDay.objects.filter(meter=meter)
        .filter(visible.q("day"))
        .aggregate(first=Min("day"), last=Max("day"))
    )
    return MeterData(meter, list(meter.products.order_by("kind", "pk")), days["first"], days["last"])


def _communications(user) -> list[CommunicationLine]:
    channels = dict(CommunicationConsent.Channel.choices)
    topics = dict(CommunicationConsent.Topic.choices)
    return [
        CommunicationLine(channels[c.channel], topics[c.topic], c.opted_in, c.at)
        for c in communication_choices(user=user)
    ]


def my_data_overview(*, user) -> MyData:
    """Everything about ``user`` for the Mijn gegevens page (theirs only)."""
    return MyData(
        user=user,
        profile=Profile.objects.filter(user=user).first(),
        meters=[_meter_data(user, meter) for meter in meters_for_user(user=user)],
        mandates=list(mandates_for_user(user=user)),
        pause=restriction_active(user=user),
        pauses=list(restrictions_for_user(user=user)[:10]),
        exports=exports_for_user(user=user),
        disclosures=list(disclosures_for_user(user=user)),
        communications=_communications(user),
        cookie_consent=cookie_consents_for_user(user=user).first(),
    )
