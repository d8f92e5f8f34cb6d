"""Reads on faults (storingen): the homeowner's open faults in plain words, and operators' lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meters.models import Fault, Meter


@dataclass(frozen=True)
class FaultDisplay:
    """What a homeowner reads about a fault: what is wrong, since when, and what to do."""

    fault: Fault
    title: str
    explanation: str
    next_step: str


def faults_open_for_user(*, user, meter: Meter | None = None) -> QuerySet[Fault]:
    """The open (or acknowledged) faults of ``user``'s own meters, optionally of one of them.

    Scoped by owner here, whatever ``meter`` is passed: another person's faults never come back.
    """
    if not getattr(user, "is_authenticated", False):
        return Fault.objects.none()
    faults = Fault.objects.filter(meter__owner=user, status__in=Fault.ACTIVE_STATUSES)
    if meter is not None:
        faults = faults.filter(meter=meter)
    return faults.select_related("meter").order_by("-severity", "started", "pk")


def fault_displays_for_user(*, user, meter: Meter) -> list[FaultDisplay]:
    """The homeowner's open faults of one meter, each told in the active language."""
    return [fault_display(fault=fault) for fault in faults_open_for_user(user=user, meter=meter)]


# ``faults_open_for_user`` of every meter, as raw SQL: the dashboard asks it on every view, and
# compiling the ORM's query cost more than running it.
_OPEN_FOR_OWNER_SQL = """
SELECT fault.* FROM meters_fault fault JOIN meters_meter meter ON meter.id = fault.meter_id
WHERE meter.owner_id = %s AND fault.status = ANY(%s)
ORDER BY fault.severity DESC, fault.started, fault.id
"""


def fault_displays_by_meter(*, user) -> dict[int, list[FaultDisplay]]:
    """The homeowner's open faults of all their meters by meter id (one query), each told in the
    active language; a meter without open faults is absent."""
    if not getattr(user, "is_authenticated", False):
        return {}
    by_meter: dict[int, list[FaultDisplay]] = {}
    for fault in Fault.objects.raw(
        _OPEN_FOR_OWNER_SQL, [user.pk, [status.value for status in Fault.ACTIVE_STATUSES]]
    ):
        by_meter.setdefault(fault.meter_id, []).append(fault_display(fault=fault))
    return by_meter


def fault_display(*, fault: Fault) -> FaultDisplay:
    """Plain words (Dutch or English, by the active language) for a homeowner about ``fault``."""
    since = date_format(fault.started, "j F Y")
    if fault.type == Fault.Type.INVERTER_SUSPECTED:
        return FaultDisplay(
            fault,
            _("Je zonnepanelen leveren (bijna) niets meer aan het net"),
            _(
                "Sinds %(since)s meet je digitale meter (bijna) geen injectie meer, terwijl je wel stroom "
                "van het net neemt. Misschien staat je omvormer uit of in storing."
            )
            % {"since": since},
            _(
                "Kijk of je omvormer aan staat en geen foutmelding of rood lampje toont; zet hem eventueel "
                "even uit en weer aan. Blijft het zo, dan neemt iLumen contact met je op."
            ),
        )
    if fault.type == Fault.Type.FEED_STALE:
        return FaultDisplay(
            fault,
            _("We ontvangen geen nieuwe meetgegevens"),
            _("Sinds %(since)s kwamen er geen nieuwe gegevens van je digitale meter binnen via Fluvius.")
            % {"since": since},
            _(
                "Je hoeft meestal niets te doen: we kijken het na met Fluvius. Kijk wel even of je "
                "toestemming in Mijn Fluvius nog actief is."
            ),
        )
    if fault.type == Fault.Type.MANDATE_ACTION:
        return FaultDisplay(
            fault,
            _("Je toestemming bij Fluvius vraagt actie"),
            _(
                "Sinds %(since)s kunnen we je meetgegevens niet (of binnenkort niet meer) ophalen: je "
                "toestemming in Mijn Fluvius is niet goedgekeurd, beëindigd of loopt af."
            )
            % {"since": since},
            _("Geef opnieuw toestemming of verleng ze met de knop bij 'Toestemming Fluvius' hierboven."),
        )
    return FaultDisplay(
        fault,
        _("Er klopt iets niet in je meetgegevens"),
        _("Sinds %(since)s ontbreken er meetgegevens of staan er onmogelijke waarden in.") % {"since": since},
        _("Je hoeft niets te doen: we kijken het na met Fluvius."),
    )


def faults_for_meter(*, meter: Meter) -> QuerySet[Fault]:
    """Every fault of ``meter``, oldest first (operators and staff; never a homeowner's page)."""
    return Fault.objects.filter(meter=meter).order_by("started", "type", "pk")


def meters_for_fault_detection() -> QuerySet[Meter]:
    """Every meter, for the daily detection run (a meter without data or mandate costs a query or two)."""
    return Meter.objects.order_by("pk")
