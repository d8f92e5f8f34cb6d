"""Lenient parsing of Fluvius v3 JSON payloads into the shared typed values.

Fluvius's documentation is not public, so the contract (fluvius-api.md) is reconstructed. The
parser therefore accepts what a reasonable server could send — key spellings in any casing,
unknown extra fields, numbers as JSON numbers or strings — and refuses only structures it cannot
interpret, with a ``FluviusPayloadError`` (never a bare KeyError or TypeError).

Decisions (see also the docstring of ``parse_energy``):

- Only ``quarterHourlyEnergy`` is parsed. ``hourlyEnergy`` (gas, older meters) and
  ``dailyEnergy`` are ignored: the portal stores quarter-hours and derives days from them.
- Every quarter-hour slice yields exactly one offtake and one injection value; a direction that
  is absent, empty, ``null`` or only in an unusable unit has ``kwh=None`` (missing, never 0).
- An unknown or absent validation state is read as ``EST``, the lowest rank, so any later
  known value overwrites it instead of an unknown state blocking a correction.
- Slices that are not 15 minutes long are skipped with a warning; a slice without a usable
  ``start``/``end`` makes the whole payload invalid, because silently dropping it would look
  like missing data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import FluviusPayloadError, FluviusShortUrlFailed
from .slots import MISSING, QUALITY_CODES, QUARTER_SECONDS, SlotLocator
from .types import (
    DayReadings,
    Direction,
    Mandate,
    MandateList,
    QuarterHourValue,
    Register,
    ValidationState,
)

logger = logging.getLogger("ilusmart.fluvius")

QUARTER_HOUR = timedelta(minutes=15)

# Aliases seen or plausible for validation states; matched case-insensitively.
_STATE_ALIASES: dict[str, ValidationState] = {
    "est": ValidationState.EST,
    "estimated": ValidationState.EST,
    "read": ValidationState.READ,
    "measured": ValidationState.READ,
    "val": ValidationState.VAL,
    "valid": ValidationState.VAL,
    "validated": ValidationState.VAL,
    "nval": ValidationState.NVAL,
    "notvalidated": ValidationState.NVAL,
    "not_validated": ValidationState.NVAL,
}

_DIRECTIONS = (Direction.OFFTAKE, Direction.INJECTION)
# Canonical (= normalised) key spellings for ``_pick``, and the names in lookup order.
_DIRECTION_NAMES: dict[str, Direction] = {d.value: d for d in _DIRECTIONS}
_DIRECTION_ORDER = tuple((d, d.value) for d in _DIRECTIONS)
_REGISTER_NAMES: dict[str, Register] = {r.value: r for r in Register}
_REGISTER_ORDER = tuple((r, r.value) for r in (Register.TOTAL, Register.DAY, Register.NIGHT))


# --- small lenient helpers --------------------------------------------------------------------


def _norm_key(key: Any) -> str:
    return str(key).replace("_", "").replace("-", "").lower()


def _get(mapping: Mapping[str, Any], *names: str, default: Any = None) -> Any:
    """Look a key up ignoring case, ``_`` and ``-`` (``validationState`` = ``ValidationState``)."""
    for name in names:
        if name in mapping:
            return mapping[name]
    wanted = {_norm_key(n) for n in names}
    for key, value in mapping.items():
        if _norm_key(key) in wanted:
            return value
    return default


def _has(mapping: Mapping[str, Any], *names: str) -> bool:
    for name in names:
        if name in mapping:
            return True
    wanted = {_norm_key(n) for n in names}
    return any(_norm_key(k) in wanted for k in mapping)


def _pick(mapping: Mapping[Any, Any], names: Mapping[str, Any]) -> dict[Any, Any]:
    """``{target: value}`` for every name of ``names`` (a name in its canonical spelling, which
    is also its normalised one → a target) that ``mapping`` has, found as ``_get`` would find it:
    the exact spelling first, else the first key equal to it ignoring case, ``_`` and ``-``.

    One pass over ``mapping``, and no normalising at all when every key is spelled canonically
    (the fast path): a meter-year has 70,000 directions, each looked up for 3 register names of
    which usually 2 are absent, and a name absent in its exact spelling cost ``_has`` a
    normalising scan of every key.
    """
    exact: dict[Any, Any] = {}
    loose: dict[Any, Any] | None = None
    for key, value in mapping.items():
        target = names.get(key)
        if target is not None:
            exact[target] = value
            continue
        target = names.get(_norm_key(key))
        if target is not None:
            if loose is None:
                loose = {}
            loose.setdefault(target, value)
    if loose is None:
        return exact
    loose.update(exact)
    return loose


def _require_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FluviusPayloadError(
            f"Fluvius payload: {what} must be a JSON object, got {type(value).__name__}."
        )
    return value


def _optional_list(value: Any, what: str) -> list[Any]:
    """``None``/absent is an empty list; anything else but a list is a structural error."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise FluviusPayloadError(
            f"Fluvius payload: {what} must be a JSON array, got {type(value).__name__}."
        )
    return value


def _as_list(value: Any) -> list[Any]:
    """Anything as a list, for informational fields where a wrong shape must not hide the error."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _data(payload: Any) -> dict[str, Any]:
    """Return the ``data`` object of a response ``{"_meta": …, "data": {…}}``."""
    payload = _require_dict(payload, "the response")
    if not _has(payload, "data"):
        raise FluviusPayloadError("Fluvius payload: the response has no 'data' object.")
    return _require_dict(_get(payload, "data"), "'data'")


def parse_datetime(value: Any, what: str = "timestamp") -> datetime:
    """Parse an ISO 8601 timestamp to an aware UTC datetime; naive values are taken as UTC.

    A bare date (``2028-06-01``) means midnight UTC. Raises ``FluviusPayloadError``.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        # Python accepts "Z" since 3.11; lower-case "z" and a space separator are tolerated too.
        if text[-1:] in "zZ":
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise FluviusPayloadError(
                f"Fluvius payload: {what} {value!r} is not an ISO 8601 timestamp."
            ) from None
    else:
        raise FluviusPayloadError(f"Fluvius payload: {what} is missing or not a string ({value!r}).")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset: the UTC instant is outside datetime's range
        raise FluviusPayloadError(f"Fluvius payload: {what} {value!r} is out of range.") from None


def _optional_datetime(value: Any, what: str) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_datetime(value, what)


def parse_state(value: Any) -> ValidationState:
    """Map a validation state to ``ValidationState``; unknown or absent states become ``EST``."""
    if isinstance(value, str):
        state = _STATE_ALIASES.get(value.strip().lower())
        if state is not None:
            return state
    if value is not None:
        logger.warning("Fluvius payload: unknown validation state %r, treated as EST", value)
    return ValidationState.EST


def _to_decimal(value: Any) -> Decimal | None:
    """A JSON number (or numeric string) as Decimal via ``str`` — never through float arithmetic."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            logger.warning("Fluvius payload: value %r is not a number, treated as missing", value)
            return None
    else:
        logger.warning("Fluvius payload: value %r is not a number, treated as missing", value)
        return None
    if not result.is_finite():
        logger.warning("Fluvius payload: value %r is not finite, treated as missing", value)
        return None
    return result


# Conversion factors to kWh. Anything else (kW, kVArh, m3, …) is not energy in kWh.
_UNIT_FACTORS: dict[str, Decimal] = {"kwh": Decimal(1), "wh": Decimal(1000)}


def _register_kwh(raw: Any, where: str) -> tuple[Decimal | None, ValidationState | None, bool]:
    """Return (kwh, state, usable) for one register object ``{"value", "unit", "validationState"}``.

    ``usable`` is False when the register must be ignored altogether (unsupported unit).
    """
    if raw is None:
        return None, None, True
    if isinstance(raw, int | float | str | Decimal) and not isinstance(raw, bool):
        # A bare number instead of an object: lenient, taken as kWh of unknown quality.
        kwh = _to_decimal(raw)
        return kwh, (parse_state(None) if kwh is not None else None), True
    register = _require_dict(raw, where)
    unit = _get(register, "unit")
    if unit is None:
        factor = Decimal(1)  # the contract always sends kWh for quarter-hour energy
    else:
        factor = _UNIT_FACTORS.get(str(unit).strip().lower())
        if factor is None:
            logger.warning("Fluvius payload: %s has unit %r, not kWh or Wh; skipped", where, unit)
            return None, None, False
    value = _to_decimal(_get(register, "value"))
    if value is None:
        return None, None, True
    kwh = value if factor == 1 else value / factor
    return kwh, parse_state(_get(register, "validationState", "state")), True


_Reading = tuple[Register, Decimal | None, ValidationState | None]


def _direction_reading(raw: Any, where: str) -> _Reading:
    """Combine a direction's registers into ``(register, kwh, state)``: ``total`` if present, else
    day + night."""
    if raw is None:
        return Register.TOTAL, None, None
    named = _pick(_require_dict(raw, where), _REGISTER_NAMES)
    found: dict[Register, tuple[Decimal | None, ValidationState | None]] = {}
    present: list[Register] = []
    for register, name in _REGISTER_ORDER:
        if register not in named:
            continue
        kwh, state, usable = _register_kwh(named[register], f"{where}.{name}")
        if not usable:
            continue
        present.append(register)
        if kwh is not None:
            found[register] = (kwh, state)
    # Other keys (reactive registers and the like) are ignored on purpose.

    if Register.TOTAL in found:
        kwh, state = found[Register.TOTAL]
        # Keep the day/night booking when exactly one of them has a value: tariffs need it.
        day_night = [r for r in (Register.DAY, Register.NIGHT) if r in found]
        register = day_night[0] if len(day_night) == 1 else Register.TOTAL
        return register, kwh, state
    day_night = [r for r in (Register.DAY, Register.NIGHT) if r in found]
    if not day_night:
        # Everything null or unusable: missing. Keep the register that was named, if one.
        named = [r for r in present if r is not Register.TOTAL]
        register = named[0] if len(named) == 1 else Register.TOTAL
        return register, None, None
    if len(day_night) == 1:
        kwh, state = found[day_night[0]]
        return day_night[0], kwh, state
    # Both booked (should not happen for one quarter-hour): their sum, with the worst quality.
    day_kwh, day_state = found[Register.DAY]
    night_kwh, night_state = found[Register.NIGHT]
    state = min((day_state, night_state), key=lambda s: s.rank if s else 0)
    return Register.TOTAL, day_kwh + night_kwh, state


def _slice_readings(
    raw: Any, where: str, times: dict[Any, datetime] | None = None
) -> tuple[datetime, datetime, list[_Reading]] | None:
    """One ``quarterHourlyEnergy`` element → ``(start, end, [offtake, injection])``, or None when
    it is skipped. ``times`` caches parsed timestamps (a slice's end is the next one's start)."""
    slice_ = _require_dict(raw, where)
    raw_start = _get(slice_, "start", "from")
    raw_end = _get(slice_, "end", "to")
    if times is None:
        start = parse_datetime(raw_start, f"{where}.start")
        end = parse_datetime(raw_end, f"{where}.end")
    else:
        start = times.get(raw_start) if isinstance(raw_start, str) else None
        if start is None:
            start = parse_datetime(raw_start, f"{where}.start")
            if isinstance(raw_start, str):
                times[raw_start] = start
        end = times.get(raw_end) if isinstance(raw_end, str) else None
        if end is None:
            end = parse_datetime(raw_end, f"{where}.end")
            if isinstance(raw_end, str):
                times[raw_end] = end
    if end - start != QUARTER_HOUR:
        logger.warning("Fluvius payload: %s runs %s to %s, not 15 minutes; skipped", where, start, end)
        return None
    measurements = _optional_list(_get(slice_, "measurements"), f"{where}.measurements")
    # Usually one measurement object; if several carry the same direction, the first wins.
    raw_directions: dict[Direction, Any] = {}
    for index, measurement in enumerate(measurements):
        named = _pick(_require_dict(measurement, f"{where}.measurements[{index}]"), _DIRECTION_NAMES)
        for direction, name in _DIRECTION_ORDER:
            if direction not in named:
                continue
            if direction in raw_directions:
                logger.warning("Fluvius payload: %s has %s twice; the first is kept", where, name)
                continue
            raw_directions[direction] = named[direction]
    return (
        start,
        end,
        [
            _direction_reading(raw_directions.get(direction), f"{where}.{name}")
            for direction, name in _DIRECTION_ORDER
        ],
    )


def _parse_slices(container: Mapping[str, Any], where: str) -> Iterable[QuarterHourValue]:
    slices = _optional_list(_get(container, "quarterHourlyEnergy"), f"{where}.quarterHourlyEnergy")
    for index, raw in enumerate(slices):
        parsed = _slice_readings(raw, f"{where}.quarterHourlyEnergy[{index}]")
        if parsed is None:
            continue
        start, end, readings = parsed
        for direction, (register, kwh, state) in zip(_DIRECTIONS, readings, strict=True):
            yield QuarterHourValue(start, end, direction, register, kwh, state)


def _merge(
    target: dict[tuple[datetime, Direction], QuarterHourValue], values: Iterable[QuarterHourValue]
) -> None:
    """Add values; an existing value for the same (start, direction) is replaced only if missing."""
    for value in values:
        key = (value.start, value.direction)
        existing = target.get(key)
        if existing is None or (existing.kwh is None and value.kwh is not None):
            target[key] = value


def _headpoints(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = _get(data, "headpoint", "headpoints")
    if raw is None:
        logger.warning("Fluvius payload: 'data' has no headpoint; read as no data")
        return []
    if isinstance(raw, dict):
        return [raw]
    items = _optional_list(raw, "'data.headpoint'")
    return [_require_dict(item, f"data.headpoint[{i}]") for i, item in enumerate(items)]


def parse_energy(payload: Any) -> list[QuarterHourValue]:
    """Parse a ``GET /api/mandate/energy`` response into quarter-hour values, sorted by time.

    - ``$type`` ``metering-on-meter`` reads ``physicalMeters[].quarterHourlyEnergy``;
      ``metering-on-headpoint`` reads ``quarterHourlyEnergy`` on the headpoint;
      ``metering-on-headpoint-and-meter`` (and an unknown or absent ``$type``) reads both, the
      headpoint's value winning over a meter's for the same quarter-hour and direction. Across
      meters (a replaced meter) the first non-missing value for a quarter-hour wins.
    - Each slice gives exactly one ``offtake`` and one ``injection`` value. ``kwh`` is the
      ``total`` register if present, else the day or the night register (a quarter-hour is
      booked on one of them; both present → their sum, register ``total``). ``register`` says
      where it was booked. ``production``, ``auxiliary`` and reactive registers are ignored.
    - ``value: null``, ``measurements: []``, an absent direction, or only unusable units →
      ``kwh=None`` and ``state=None`` (missing, never 0).
    - Units: kWh as is, Wh ÷ 1000; kW, kVArh, m3 … are skipped with a warning.
    - ``hourlyEnergy`` and ``dailyEnergy`` are ignored.

    Raises ``FluviusPayloadError`` when the structure cannot be interpreted.
    """
    data = _data(payload)
    merged: dict[tuple[datetime, Direction], QuarterHourValue] = {}
    for container, where in _energy_containers(data):
        _merge(merged, _parse_slices(container, where))
    direction_order = {d: i for i, d in enumerate(_DIRECTIONS)}
    return sorted(merged.values(), key=lambda v: (v.start, direction_order[v.direction]))


def _energy_containers(data: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], str]]:
    """The objects whose ``quarterHourlyEnergy`` is read, in precedence order, with their path."""
    for hp_index, headpoint in enumerate(_headpoints(data)):
        where = f"headpoint[{hp_index}]"
        meter_type = str(_get(headpoint, "$type", "type", default="") or "").strip().lower()
        reads_headpoint = meter_type != "metering-on-meter"
        reads_meters = meter_type != "metering-on-headpoint"
        if meter_type not in (
            "metering-on-meter",
            "metering-on-headpoint",
            "metering-on-headpoint-and-meter",
        ):
            logger.warning(
                "Fluvius payload: %s has $type %r; reading headpoint and meters", where, meter_type
            )
        if reads_headpoint:
            yield headpoint, where
        if reads_meters:
            meters = _optional_list(_get(headpoint, "physicalMeters"), f"{where}.physicalMeters")
            for m_index, meter in enumerate(meters):
                meter_where = f"{where}.physicalMeters[{m_index}]"
                yield _require_dict(meter, meter_where), meter_where
        elif _has(headpoint, "physicalMeters") and _get(headpoint, "physicalMeters"):
            logger.warning(
                "Fluvius payload: %s is metering-on-headpoint but has physicalMeters; ignored", where
            )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_energy_days(payload: Any) -> list[DayReadings]:
    """Parse a ``GET /api/mandate/energy`` response into per-local-day arrays, sorted by day.

    The same reading of the payload as ``parse_energy`` (same rules for ``$type``, registers,
    units, states, missing values and precedence: the first non-missing value for a quarter-hour
    and direction wins), delivered as one ``DayReadings`` per local day that a slice falls in
    instead of one object per value: what ``readings_ingest_days`` stores, without the cost of
    70,080 objects per meter-year. Slots the payload does not fill are missing.

    Raises ``FluviusPayloadError`` when the structure cannot be interpreted, and also for what
    ``parse_energy`` returns but no quarter-hour slot can hold (the ingest refuses it too): a
    15-minute slice that does not start on :00/:15/:30/:45 UTC, or a value that is not a whole
    number of Wh.
    """
    data = _data(payload)
    codes = QUALITY_CODES
    locator = SlotLocator()
    # Per local day: [offtake Wh, offtake quality chars, injection Wh, injection quality chars].
    days: dict[date, list[list]] = {}
    # UTC hour -> (its day's lists, slot of the hour's first quarter); see SlotLocator.
    by_hour: dict[int, tuple[list[list], int]] = {}
    times: dict[Any, datetime] = {}
    for container, where in _energy_containers(data):
        slices = _optional_list(_get(container, "quarterHourlyEnergy"), f"{where}.quarterHourlyEnergy")
        for index, raw in enumerate(slices):
            slice_where = f"{where}.quarterHourlyEnergy[{index}]"
            parsed = _slice_readings(raw, slice_where, times)
            if parsed is None:
                continue
            start, _end, readings = parsed
            delta = start - _EPOCH
            seconds = delta.seconds
            if seconds % QUARTER_SECONDS or delta.microseconds:
                raise FluviusPayloadError(
                    f"Fluvius payload: {slice_where} starts at {start.isoformat()}, not on a quarter-hour."
                )
            hour = delta.days * 24 + seconds // 3600
            hit = by_hour.get(hour)
            if hit is None:
                day, day_start, n = locator.day_of_hour(hour)
                entry = days.get(day)
                if entry is None:
                    entry = days[day] = [[None] * n, [MISSING] * n, [None] * n, [MISSING] * n]
                hit = by_hour[hour] = (entry, (hour * 3600 - day_start) // QUARTER_SECONDS)
            entry, first_slot = hit
            slot = first_slot + seconds % 3600 // QUARTER_SECONDS
            for column, (register, kwh, state) in zip((0, 2), readings, strict=True):
                if kwh is None:
                    continue
                qualities = entry[column + 1]
                if qualities[slot] != MISSING:
                    continue  # an earlier non-missing value wins, as in parse_energy
                entry[column][slot] = _whole_wh(kwh, slice_where)
                qualities[slot] = codes[state, register]
    return [
        DayReadings(day, entry[0], entry[2], "".join(entry[1]), "".join(entry[3]))
        for day, entry in sorted(days.items())
    ]


def _whole_wh(kwh: Decimal, where: str) -> int:
    """``kwh`` as an exact integer number of Wh."""
    numerator, denominator = kwh.as_integer_ratio()
    if denominator == 1:
        return numerator * 1000
    factor, remainder = divmod(1000, denominator)
    if remainder:
        raise FluviusPayloadError(f"Fluvius payload: {where} has {kwh} kWh, not a whole number of Wh.")
    return numerator * factor


def _required_str(item: Mapping[str, Any], name: str, where: str) -> str:
    value = _get(item, name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FluviusPayloadError(f"Fluvius payload: {where} has no {name!r}.")
    if not isinstance(value, str | int):
        raise FluviusPayloadError(f"Fluvius payload: {where}.{name} must be a string, got {value!r}.")
    return str(value).strip()


def _optional_str(item: Mapping[str, Any], name: str) -> str | None:
    value = _get(item, name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_fetch_time(payload: Any) -> datetime | None:
    """The response's ``_meta.fetchTime`` as an aware UTC datetime; ``None`` when absent or unusable.

    Lenient on purpose: a missing or odd fetch time never makes an otherwise good answer unusable.
    """
    if not isinstance(payload, dict):
        return None
    meta = _get(payload, "_meta")
    raw = _get(meta, "fetchTime") if isinstance(meta, dict) else None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_datetime(raw, "_meta.fetchTime")
    except FluviusPayloadError:
        logger.warning("Fluvius payload: _meta.fetchTime %r is not a timestamp; ignored", raw)
        return None


def parse_mandates(payload: Any, *, received_at: datetime) -> MandateList:
    """Parse a ``GET /api/mandate`` response (``data.mandates[]``) into a ``MandateList``.

    An empty or absent list is not an error. ``referenceNumber`` and ``ean`` are required;
    other fields may be absent (``None``; ``status`` then ``""``). ``fetched_at`` is
    ``_meta.fetchTime``, or ``received_at`` (aware) when the answer has no usable one.
    Raises ``FluviusPayloadError`` when the structure cannot be interpreted.
    """
    data = _data(payload)
    items = _optional_list(_get(data, "mandates"), "'data.mandates'")
    mandates = []
    for index, raw in enumerate(items):
        where = f"mandates[{index}]"
        item = _require_dict(raw, where)
        mandates.append(
            Mandate(
                reference_number=_required_str(item, "referenceNumber", where),
                ean=_required_str(item, "ean", where),
                status=_optional_str(item, "status") or "",
                energy_type=_optional_str(item, "energyType") or "",
                data_service_type=_optional_str(item, "dataServiceType") or "",
                data_period_from=_optional_datetime(_get(item, "dataPeriodFrom"), f"{where}.dataPeriodFrom"),
                data_period_to=_optional_datetime(_get(item, "dataPeriodTo"), f"{where}.dataPeriodTo"),
                expiration_date=_optional_datetime(
                    _get(item, "mandateExpirationDate", "expirationDate"), f"{where}.mandateExpirationDate"
                ),
                renewal_status=_optional_str(item, "renewalStatus"),
            )
        )
    return MandateList(mandates=tuple(mandates), fetched_at=parse_fetch_time(payload) or received_at)


def parse_short_url(payload: Any) -> tuple[str, datetime | None]:
    """Parse a ``POST /api/shortUrlIdentifier`` response into ``(short_id, valid_to)``.

    ``status: "failed"`` raises ``FluviusShortUrlFailed``; a missing identifier raises
    ``FluviusPayloadError``.
    """
    data = _data(payload)
    status = _optional_str(data, "status")
    if status is not None and status.lower() != "success":
        raise FluviusShortUrlFailed(
            f"Fluvius refused the short URL request (status {status!r}).",
            status_code=200,
            body=payload,
            validation_errors=_as_list(_get(data, "validationErrorMessages", "messages")),
        )
    short_id = _required_str(data, "shortUrlIdentifier", "data")
    valid_to = _optional_datetime(_get(data, "validTo"), "data.validTo")
    return short_id, valid_to
