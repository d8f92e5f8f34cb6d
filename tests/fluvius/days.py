"""A plain reference for the per-day form: quarter-hour values grouped into ``DayReadings``.

Written the slow, obvious way (zoneinfo per value, Decimal arithmetic) so that tests can hold
``parse_energy_days`` and ``readings_ingest_days`` against ``parse_energy`` and
``readings_ingest``.
"""

from collections.abc import Iterable
from datetime import date

from ilusmart.fluvius.slots import BRUSSELS, MISSING, QUALITY_CODES, QUARTER, day_start_utc, slots_in_day
from ilusmart.fluvius.types import DayReadings, Direction, QuarterHourValue


def as_days(values: Iterable[QuarterHourValue]) -> list[DayReadings]:
    """Group values into ``DayReadings`` (days sorted); every value's day is included.

    A value for a slot and direction that already has one in the batch goes into a further
    ``DayReadings`` of the same day, after the first ones, so that the batch keeps its order.
    """
    layers: list[dict[date, dict]] = [{}]
    for value in values:
        day = value.start.astimezone(BRUSSELS).date()
        slot, rest = divmod(value.start - day_start_utc(day), QUARTER)
        assert not rest and value.end - value.start == QUARTER, value
        column = "offtake" if value.direction is Direction.OFFTAKE else "injection"
        for layer in layers:
            entry = layer.setdefault(day, _empty(day))
            if value.kwh is None or entry[column + "_quality"][slot] == MISSING:
                break
        else:
            layer = {}
            layers.append(layer)
            entry = layer[day] = _empty(day)
        if value.kwh is None:
            continue
        wh = value.kwh * 1000
        assert wh == int(wh), value
        entry[column + "_wh"][slot] = int(wh)
        entry[column + "_quality"][slot] = QUALITY_CODES[value.state, value.register]
    return [
        DayReadings(
            day=day,
            offtake_wh=entry["offtake_wh"],
            injection_wh=entry["injection_wh"],
            offtake_quality="".join(entry["offtake_quality"]),
            injection_quality="".join(entry["injection_quality"]),
        )
        for layer in layers
        for day, entry in sorted(layer.items())
    ]


def _empty(day: date) -> dict:
    n = slots_in_day(day)
    return {
        "offtake_wh": [None] * n,
        "injection_wh": [None] * n,
        "offtake_quality": [MISSING] * n,
        "injection_quality": [MISSING] * n,
    }
