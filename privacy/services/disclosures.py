"""Sharing a customer's data with a partner: the one way out, and each time a disclosure record.

``disclosure_share`` refuses a customer whose processing is paused (GDPR art. 18), an inactive
partner, and a request without categories or with a wrong period; otherwise it writes the
``Disclosure`` (recipient, categories, period, legal basis and purpose as they were, when, who)
and returns the files for the partner, in the same transaction, with the customer's row locked
so a pause that arrives at the same moment either comes first (refused) or after (recorded).
Readings are those of the customer's own days only (``visible_periods``), written by
``meters.services.export``; the customer sees each disclosure on Mijn gegevens.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile
from consents.selectors.restriction import processing_restricted
from ilusmart import errors
from ilusmart.errors import ApplicationError
from meters.selectors import meters_for_user
from meters.selectors.visibility import visible_periods
from meters.services.export import EXPORT_DAY, EXPORT_QUARTER_HOUR, export_range_check, readings_export_lines
from privacy.models import Disclosure, Partner

PERIOD_CATEGORIES = {Disclosure.Category.READINGS, Disclosure.Category.DAILY}
PROFILE_COLUMNS = ("email", *Profile.EDITABLE_FIELDS)
METER_COLUMNS = (
    "ean",
    "meter_id",
    "label",
    "product",
    "kwp",
    "panel_count",
    "inverter_make",
    "inverter_model",
    "inverter_serial",
    "installed_on",
)


class DisclosureRefused(ApplicationError):
    kind = errors.INVALID
    default_code = "disclosure_refused"


@dataclass(frozen=True)
class Shared:
    disclosure: Disclosure
    file_name: str
    content: bytes  # a ZIP with one CSV per category


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _profile_rows(customer):
    profile = getattr(customer, "profile", None)
    values = {"email": customer.email}
    if profile is not None:
        values.update({name: getattr(profile, name) for name in PROFILE_COLUMNS if name != "email"})
    return [[values.get(name, "") for name in PROFILE_COLUMNS]]


def _meter_rows(customer):
    rows = []
    for meter in meters_for_user(user=customer).prefetch_related("products"):
        products = list(meter.products.all()) or [None]
        for product in products:
            rows.append(
                [meter.ean, meter.meter_id, meter.label]
                + (
                    [product.kind, product.kwp or "", product.panel_count or "", product.inverter_make,
                     product.inverter_model, product.inverter_serial, product.installed_on or ""]
                    if product else [""] * 7
                )
            )  # fmt: skip
    return rows


def _check(*, partner: Partner, categories: list[str], period_from: date | None, period_to: date | None):
    if not partner.active:
        raise DisclosureRefused(
            _("Met deze partner wordt niet meer gedeeld (niet actief)."), code="partner_inactive"
        )
    valid = set(Disclosure.Category.values)
    if not categories or not set(categories) <= valid:
        raise DisclosureRefused(_("Kies wat je deelt."), code="disclosure_categories")
    if PERIOD_CATEGORIES & set(categories):
        if period_from is None or period_to is None:
            raise DisclosureRefused(
                _("Meetgegevens delen kan alleen over een periode: geef begin en einde."),
                code="disclosure_period",
            )
        try:
            export_range_check(
                resolution=EXPORT_QUARTER_HOUR, start_date=period_from, end_date=period_to + timedelta(days=1)
            )
        except ValueError as exc:
            raise DisclosureRefused(str(exc), code="disclosure_period") from None


def disclosure_share(
    *,
    partner: Partner,
    customer,
    categories: list[str],
    by,
    period_from: date | None = None,
    period_to: date | None = None,
) -> Shared:
    """Share ``categories`` of ``customer``'s data with ``partner``: record it and return the files.

    Refuses (``DisclosureRefused``) a paused customer (kind forbidden), an inactive partner and
    wrong input; nothing is recorded or produced then.
    """
    categories = [c for c in Disclosure.Category.values if c in set(categories)]  # known order, no repeats
    _check(partner=partner, categories=categories, period_from=period_from, period_to=period_to)
    if not PERIOD_CATEGORIES & set(categories):
        period_from = period_to = None
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=customer.pk).first()
        if processing_restricted(user=customer):
            raise DisclosureRefused(
                _("De verwerking voor deze klant is gepauzeerd: er wordt niets gedeeld."),
                code="processing_restricted",
                kind=errors.FORBIDDEN,
            )
        disclosure = Disclosure.objects.create(
            partner=partner,
            customer=customer,
            categories=categories,
            period_from=period_from,
            period_to=period_to,
            legal_basis=partner.legal_basis,
            purpose=partner.purpose,
            by=by,
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            if Disclosure.Category.PROFILE in categories:
                archive.writestr("klant.csv", _csv(PROFILE_COLUMNS, _profile_rows(customer)))
            if Disclosure.Category.METERS in categories:
                archive.writestr("meters.csv", _csv(METER_COLUMNS, _meter_rows(customer)))
            for category, resolution, kind in (
                (Disclosure.Category.READINGS, EXPORT_QUARTER_HOUR, "kwartieren"),
                (Disclosure.Category.DAILY, EXPORT_DAY, "dagen"),
            ):
                if category not in categories:
                    continue
                for meter in meters_for_user(user=customer):
                    lines = readings_export_lines(
                        meter=meter,
                        start_date=period_from,
                        end_date=period_to + timedelta(days=1),
                        resolution=resolution,
                        visible=visible_periods(user=customer, meter=meter),
                    )
                    archive.writestr(f"{meter.ean}-{kind}.csv", "".join(lines).encode("ascii"))
    name = f"ilusmart-{partner.pk}-{customer.pk}-{disclosure.at:%Y%m%d%H%M}.zip"
    return Shared(disclosure=disclosure, file_name=name, content=buffer.getvalue())
