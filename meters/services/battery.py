"""What a home battery would have done with a homeowner's measured quarter-hours (issue 12).

A pure computation over integer Wh: no database, no clock. The caller (``meters.selectors.battery``
for the page and the API, ``battery_whatif`` for operators) loads the quarter-hours and prices.

The model, every choice shown on the page:

- The meter sees only the **net** flows of each quarter-hour: ``offtake`` (from the grid) and
  ``injection`` (to the grid); both can be non-zero in one quarter-hour. The battery charges only
  from what would have been injected (never from the grid) and discharges only to cover what
  would have been taken off (never to the grid), so in no quarter-hour does it raise offtake or
  injection.
- Within a quarter-hour the order of the home's ups and downs is unknown, so the battery is
  credited cautiously: it can deliver only what it held at the start of the quarter-hour and store
  only what fitted then; charging and discharging share the power over the quarter-hour
  (``charge + discharge ≤ power × ¼ h``).
- **Round-trip efficiency** is charged on the way in: of ``charge`` Wh from the home,
  ``charge × efficiency`` is stored, and every stored Wh comes back out as one Wh. The state of
  charge is kept exactly (in units of 1/``den`` Wh, ``efficiency = num/den``): no rounding loss.
- **Usable depth**: the battery works between ``capacity × (1 − depth)`` (floored to the Wh below
  ``capacity``) and ``capacity``; it starts the period at the bottom (empty).
- **Peak shaving**: a part of the usable capacity (``reserve``) is kept back from ordinary
  self-consumption and used only for the part of a quarter-hour's offtake above the target
  (``peak_w`` × ¼ h). It is refilled from surplus only, like the rest. It never charges from the
  grid, so the month's peak with the battery is never above the peak without.
- A quarter-hour whose offtake or injection is missing stays missing: the battery does nothing
  in it (its charge carries over), it is counted in ``missing``, and it adds nothing to any total.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import accumulate, repeat
from operator import attrgetter

from django.utils.translation import gettext as _

from ilusmart.errors import ApplicationError

SELF_CONSUMPTION = "self_consumption"
PEAK_SHAVING = "peak_shaving"
STRATEGIES = (SELF_CONSUMPTION, PEAK_SHAVING)

DEFAULT_EFFICIENCY = Decimal("0.9")
DEFAULT_DEPTH = Decimal("0.9")
DEFAULT_RESERVE = Decimal("0.5")
MAX_CAPACITY_WH = 200_000  # 200 kWh: far above any home battery
MAX_POWER_W = 100_000
_NO_TARGET = 1 << 62  # an offtake target no quarter-hour reaches


class BatteryInputInvalid(ApplicationError):
    default_code = "battery_input_invalid"


def _share_ok(value, lowest: Decimal) -> bool:
    """A ratio given as a Decimal in [lowest, 1] with at most 3 decimals (90.5 % = 0.905)."""
    return (
        isinstance(value, Decimal)
        and value.is_finite()
        and lowest <= value <= 1
        and value.as_tuple().exponent >= -3
    )


@dataclass(frozen=True, slots=True)
class BatterySpec:
    """One battery and how it is run. Energy in Wh, power in W, ratios as Decimal in (0, 1]."""

    capacity_wh: int
    power_w: int
    efficiency: Decimal = DEFAULT_EFFICIENCY
    depth: Decimal = DEFAULT_DEPTH
    strategy: str = SELF_CONSUMPTION
    peak_w: int | None = None  # peak shaving: the offtake target in W
    reserve: Decimal = DEFAULT_RESERVE  # peak shaving: share of the usable capacity kept back

    def __post_init__(self):
        if not isinstance(self.capacity_wh, int) or not 0 < self.capacity_wh <= MAX_CAPACITY_WH:
            raise BatteryInputInvalid(_("De capaciteit moet tussen 0 en 200 kWh liggen."), code="capacity")
        if not isinstance(self.power_w, int) or not 0 < self.power_w <= MAX_POWER_W:
            raise BatteryInputInvalid(_("Het vermogen moet tussen 0 en 100 kW liggen."), code="power")
        if not _share_ok(self.efficiency, Decimal("0.5")):
            raise BatteryInputInvalid(
                _("Het rendement moet tussen 50 en 100 procent liggen."), code="efficiency"
            )
        if not _share_ok(self.depth, Decimal("0.1")):
            raise BatteryInputInvalid(
                _("De bruikbare diepte moet tussen 10 en 100 procent liggen."), code="depth"
            )
        if self.strategy not in STRATEGIES:
            raise BatteryInputInvalid(_("Onbekende strategie."), code="strategy")
        if self.strategy == PEAK_SHAVING:
            if not isinstance(self.peak_w, int) or not 0 < self.peak_w <= MAX_POWER_W:
                raise BatteryInputInvalid(
                    _("Geef voor piekbeperking een doelpiek tussen 0 en 100 kW."), code="peak"
                )
            if not _share_ok(self.reserve, Decimal("0")):
                raise BatteryInputInvalid(
                    _("De reserve moet tussen 0 en 100 procent liggen."), code="reserve"
                )

    @property
    def usable_wh(self) -> int:
        return int((self.capacity_wh * self.depth).to_integral_value(rounding=ROUND_FLOOR))

    @property
    def bottom_wh(self) -> int:
        return self.capacity_wh - self.usable_wh

    @property
    def reserve_wh(self) -> int:
        if self.strategy != PEAK_SHAVING:
            return 0
        return int((self.usable_wh * self.reserve).to_integral_value(rounding=ROUND_FLOOR))

    @property
    def quarter_wh(self) -> int:
        """Most energy in or out in one quarter-hour (power × ¼ h, floored to the Wh)."""
        return self.power_w // 4


@dataclass(frozen=True, slots=True)
class QuarterHourDay:
    """One local day of a meter: integer Wh per quarter-hour (``None`` = missing), 92/96/100 slots.

    ``night`` marks the quarter-hours counted on the night register (same length; booleans, or
    bytes of 0 and 1 as ``battery_quarter_hours`` gives them).
    """

    day: date
    offtake_wh: Sequence[int | None]
    injection_wh: Sequence[int | None]
    night: Sequence[bool] | bytes


@dataclass(slots=True, kw_only=True)
class Figures:
    """What a run (or the meter as measured) did over a day or a month, in Wh.

    Only quarter-hours with both directions count (``missing`` of ``slots`` did not);
    ``peak_offtake_wh`` is the highest quarter-hour offtake (× 4 = W), ``None`` without data,
    ``peak_slot`` the first quarter-hour that reached it.
    """

    slots: int = 0
    missing: int = 0
    offtake_wh: int = 0
    offtake_night_wh: int = 0
    injection_wh: int = 0
    charge_wh: int = 0
    discharge_wh: int = 0
    peak_offtake_wh: int | None = None
    peak_slot: int | None = None

    @property
    def present(self) -> int:
        return self.slots - self.missing

    @property
    def offtake_day_wh(self) -> int:
        return self.offtake_wh - self.offtake_night_wh

    @property
    def peak_offtake_w(self) -> int | None:
        return None if self.peak_offtake_wh is None else self.peak_offtake_wh * 4


@dataclass(slots=True, kw_only=True)
class DayResult(Figures):
    """One day of one simulation (or of the meter as measured, without battery)."""

    day: date
    soc_end: int = 0  # state of charge at the end of the day, scaled (see ``Simulation.den``)
    # Without battery, on a complete day: the first and last quarter-hour with injection (None:
    # none), so that a simulation can skip the hours in which an empty battery cannot act.
    first_injection_slot: int | None = None
    last_injection_slot: int | None = None
    # Without battery, on a day with gaps: the day with every missing quarter-hour as 0 in both
    # directions, for the battery that rests in them (the totals above still count only values).
    masked: tuple | None = field(default=None, repr=False, compare=False)
    # Without battery, on a day the battery can act in: its runs (``_runs``), for ``_runs_day_run``.
    runs: tuple | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class QuarterHourTrace:
    """Per quarter-hour of a recorded run: what the battery did (``None`` where missing)."""

    new_offtake_wh: list = field(default_factory=list)
    new_injection_wh: list = field(default_factory=list)
    charge_wh: list = field(default_factory=list)
    discharge_wh: list = field(default_factory=list)
    soc: list = field(default_factory=list)  # scaled, at the end of the quarter-hour


@dataclass(slots=True)
class Simulation:
    """A battery run over consecutive local days. ``soc`` values are in 1/``den`` Wh."""

    spec: BatterySpec | None
    den: int
    days: list[DayResult]
    trace: QuarterHourTrace | None = None

    def soc_kwh(self, scaled: int) -> Decimal:
        """A scaled state of charge as kWh with 3 decimals (half up)."""
        if scaled >= 0:  # always (the charge never drops below 0): whole Wh half up, in integers
            return Decimal(self.soc_wh(scaled)).scaleb(-3)
        return (Decimal(scaled) / (self.den * 1000)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)

    def soc_wh(self, scaled: int) -> int:
        """A scaled state of charge (never below 0) in whole Wh, half up: ``soc_kwh`` × 1000."""
        return (2 * scaled + self.den) // (2 * self.den)


def _ratio(efficiency: Decimal) -> tuple[int, int]:
    fraction = Fraction(efficiency)
    return fraction.numerator, fraction.denominator


def baseline_days(days: Sequence[QuarterHourDay]) -> list[DayResult]:
    """The days as measured (no battery), counted by the same rules as a simulation.

    Pass the result to ``battery_simulate(baseline=…)`` when simulating several batteries over the
    same days: their days with data then only track what the battery changes.
    """
    results = []
    night_spans = {}  # the night register's stretches per pattern of a day's night flags
    for qd in days:
        off, inj = qd.offtake_wh, qd.injection_wh
        n = len(off)
        result = DayResult(day=qd.day, slots=n)
        results.append(result)
        first_present = 0
        try:  # the day's sums, C-speed; a missing quarter-hour (None) cannot be added
            offtake, injection = sum(off), sum(inj)
        except TypeError:
            # a quarter-hour missing in either direction counts nowhere: as 0 and 0 here, where
            # the battery rests and which add nothing to the sums and cannot make the peak
            gaps = _missing_slots(off, inj)
            result.missing = len(gaps)
            if result.missing == n:
                continue
            off, inj = list(off), list(inj)
            for i in gaps:
                off[i] = inj[i] = 0
            while first_present < len(gaps) and gaps[first_present] == first_present:
                first_present += 1  # the first quarter-hour that is not a gap
            result.masked = (off, inj, first_present)
            offtake, injection = sum(off), sum(inj)
        # the figures from C-speed built-ins (``_day_run`` counts the same, one step at a time)
        runs = _runs(result, off, inj, qd.night, first_present, night_spans, injection)
        result.offtake_wh = offtake
        result.offtake_night_wh = runs[5]
        result.injection_wh = injection
        # the day's highest offtake is the highest of its runs' (a run of injection only has none)
        peak = max([run[5] for run in runs[7]])
        result.peak_offtake_wh = peak
        result.peak_slot = off.index(peak) if peak else first_present
    return results


def _missing_slots(off: Sequence[int | None], inj: Sequence[int | None]) -> Sequence[int]:
    """The quarter-hours missing in either direction, in order (a C-speed search per gap)."""
    n = len(off)
    if off.count(None) == n or inj.count(None) == n:
        return range(n)
    gaps = set()
    for values in (off, inj):
        i = -1
        for _gap in range(values.count(None)):
            i = values.index(None, i + 1)
            gaps.add(i)
    return sorted(gaps)


_DRAW, _STORE, _BOTH = 0, 1, 2  # a run of quarter-hours without injection, with injection only, mixed
_ONES = re.compile(rb"\x01+")


def _runs(result: DayResult, off, inj, night, first_present, night_spans: dict, injection: int) -> tuple:
    """Cut a day with data (``off``, ``inj`` with 0 for a missing quarter-hour; ``injection`` the
    sum of ``inj``) into runs for ``_runs_day_run``, once for every battery simulated over it;
    kept in ``result.runs``.

    A run is a maximal stretch of quarter-hours without injection (``_DRAW``: the battery can only
    give) or with injection (``_STORE`` when nothing is taken off in it: the battery can only
    store; ``_BOTH`` otherwise), as ``kind, first, end, top, stored, highest offtake``: ``top``
    the highest offtake of a ``_DRAW`` run and the highest injection of the others, ``stored`` the
    sum of the injection. With the running sums of offtake and night offtake, a battery then needs
    a few C-speed built-ins per run instead of a Python step per quarter-hour. Also sets the day's
    first and last quarter-hour with injection (for ``_complete_day_run``).
    """
    n = len(off)
    if not injection:  # a day without injection: one run in which the battery can only give
        top = max(off)
        runs = [(_DRAW, 0, n, top, 0, top)]
    else:
        runs = []
        start = 0  # first quarter-hour not yet in a run
        injecting = bytes(map(bool, inj))
        a = injecting.find(1)  # each stretch of injection: from a 1 to the next 0 (C-speed searches)
        while a >= 0:
            b = injecting.find(0, a)
            if b < 0:
                b = n
            if a > start:
                top = max(off[start:a])
                runs.append((_DRAW, start, a, top, 0, top))
            stored = inj[a:b]
            drawn = max(off[a:b])
            runs.append((_BOTH if drawn else _STORE, a, b, max(stored), sum(stored), drawn))
            start = b
            a = injecting.find(1, b)
        result.first_injection_slot = runs[0][1] if runs[0][0] != _DRAW else runs[1][1]
        result.last_injection_slot = start - 1
        if start < n:
            top = max(off[start:])
            runs.append((_DRAW, start, n, top, 0, top))
    mask = bytes(night)
    nights = night_spans.get(mask)  # a year has a few patterns (weekday, weekend, DST days)
    if nights is None:
        nights = night_spans[mask] = [match.span() for match in _ONES.finditer(mask)]
    sum_off = list(accumulate(off, initial=0))
    result.runs = (
        off,
        inj,
        night,
        sum_off,
        nights,
        sum(sum_off[b] - sum_off[a] for a, b in nights) if nights else 0,
        injection,
        runs,
        first_present,
    )
    return result.runs


def battery_simulate(
    *,
    spec: BatterySpec,
    days: Sequence[QuarterHourDay],
    record: bool = False,
    start_soc: int | None = None,
    baseline: Sequence[DayResult] | None = None,
) -> Simulation:
    """Run ``spec`` over ``days`` (consecutive local days, in order); the module docstring says how.

    Returns per-day figures; with ``record`` also every quarter-hour (``Simulation.trace``).
    ``start_soc`` (scaled, as ``DayResult.soc_end``) starts from a given charge instead of empty.
    ``baseline``: ``baseline_days(days)``, if the caller has it (same figures, less work).
    """
    num, den = _ratio(spec.efficiency)
    lo = spec.bottom_wh * den
    hi = spec.capacity_wh * den
    floor = lo + spec.reserve_wh * den  # ordinary self-consumption stops here
    target = _NO_TARGET if spec.strategy != PEAK_SHAVING else spec.peak_w // 4
    pq = spec.quarter_wh
    soc = lo if start_soc is None else min(max(start_soc, lo), hi)
    trace = QuarterHourTrace() if record else None
    if baseline is None and not record:
        baseline = baseline_days(days)
    results = []
    for k, qd in enumerate(days):
        n = len(qd.offtake_wh)
        base = baseline[k] if baseline is not None else None
        if base is not None and base.missing == n:
            results.append(DayResult(day=qd.day, slots=n, missing=n, soc_end=soc))  # nothing stored
            continue
        result = DayResult(day=qd.day, slots=n)
        if base is not None and base.runs is not None and target == _NO_TARGET and floor == lo:
            soc = _runs_day_run(base, result, soc, lo, hi, num, den, pq)
        elif base is not None and (not base.missing or base.masked):
            soc = _complete_day_run(qd, base, result, soc, lo, hi, floor, num, den, pq, target)
        else:
            soc = _day_run(qd, result, soc, lo, hi, floor, num, den, pq, target, trace)
        results.append(result)
    return Simulation(spec=spec, den=den, days=results, trace=trace)


def _changed_day(result, base, total_c, total_d, night_d, peak, peak_slot, first_present, soc):
    """Fill ``result`` from the day without battery (``base``) and what the battery changed."""
    result.missing = base.missing
    result.offtake_wh = base.offtake_wh - total_d
    result.offtake_night_wh = base.offtake_night_wh - night_d
    result.injection_wh = base.injection_wh - total_c
    result.charge_wh = total_c
    result.discharge_wh = total_d
    result.peak_offtake_wh = peak if peak > 0 else 0
    # nothing taken off: the first quarter-hour with a value names the peak
    result.peak_slot = peak_slot if peak > 0 else first_present
    result.soc_end = soc


def _runs_day_run(base, result, soc, lo, hi, num, den, pq):  # noqa: C901, PLR0912, PLR0915
    # Self-consumption on a day with data, without a trace: the same rules as ``_day_run`` (the
    # property tests compare both), run by runs (``_runs``). In a run without injection the
    # battery gives each quarter-hour its offtake (at most ``pq``) until it is empty: with the
    # running sum of offtake, ``bisect`` finds the quarter-hour in which it runs empty. In a run
    # of injection only, it stores the injection (at most ``pq`` each) until it is full.
    # Exact, because the charge above the bottom, in whole Wh, falls by exactly what is given
    # (``(soc - lo) // den``) and the room below the top by exactly what is stored.
    off, inj, night, sum_off, nights, _night_wh, _injection_wh, runs, first_present = base.runs
    total_c = total_d = night_d = 0
    peak = -1
    peak_slot = 0
    for kind, a, b, top, stored, _drawn in runs:
        if kind == _DRAW:
            have = (soc - lo) // den if soc > lo else 0
            if have and top <= pq:
                before = sum_off[a]
                if sum_off[b] - before <= have:  # it covers the whole run
                    d = sum_off[b] - before
                    if d:
                        total_d += d
                        for x, y in nights:  # the night offtake of a..b-1
                            if x < b and y > a:
                                night_d += sum_off[y if y < b else b] - sum_off[x if x > a else a]
                        soc -= d * den
                        if peak < 0:
                            peak = 0
                    continue
                # empty in quarter-hour i: a..i-1 covered, part of i, nothing after
                i = bisect_right(sum_off, before + have, a, b) - 1
                part = before + have - sum_off[i]
                total_d += have
                for x, y in nights:  # the night offtake of a..i-1
                    if x < i and y > a:
                        night_d += sum_off[y if y < i else i] - sum_off[x if x > a else a]
                if night[i]:
                    night_d += part
                soc -= have * den
                if i > a and sum_off[i] > before and peak < 0:
                    peak = 0
                o = off[i] - part
                if o > peak:
                    peak, peak_slot = o, i
                if i + 1 < b:
                    rest = max(off[i + 1 : b])
                    if rest > peak:
                        peak, peak_slot = rest, off.index(rest, i + 1, b)
                continue
            if not have:  # empty: the run's offtake stays as it was
                if top > peak:
                    peak, peak_slot = top, off.index(top, a, b)
                continue
        elif kind == _STORE:
            room = (hi - soc) // num if soc < hi else 0
            if room > 0:
                c = stored if top <= pq else sum(map(min, inj[a:b], repeat(pq, b - a)))
                if c > room:
                    c = room
                total_c += c
                soc += c * num
            continue
        # offtake above the power in a run without injection, or offtake and injection mixed:
        # one quarter-hour at a time, as ``_day_run``
        for i in range(a, b):
            o, j = off[i], inj[i]
            d = 0
            if o:
                if soc > lo:
                    d = (soc - lo) // den
                    if d > o:
                        d = o
                    if d > pq:
                        d = pq
                    if d:
                        o -= d
                        total_d += d
                        if night[i]:
                            night_d += d
                if o > peak:
                    peak, peak_slot = o, i
            if j and soc < hi:
                c = (hi - soc) // num
                if c > j:
                    c = j
                if c > pq - d:
                    c = pq - d
                if c > 0:
                    total_c += c
                    soc += c * num
            if d:
                soc -= d * den
    _changed_day(result, base, total_c, total_d, night_d, peak, peak_slot, first_present, soc)
    return soc


def _complete_day_run(qd, base, result, soc, lo, hi, floor, num, den, pq, target):  # noqa: C901, PLR0912, PLR0915
    # The hot loop for a day without missing quarter-hours and without a trace: the same rules as
    # ``_day_run`` (the property tests compare both), but it tracks only what the battery changes,
    # takes the day's totals from ``base``, and skips the hours in which the battery cannot act:
    # empty (nothing above ``floor``, no peak to shave) before the day's first injection and after
    # its last one, where only the highest offtake matters (benchmarks/battery.py measures it).
    off, inj, night = qd.offtake_wh, qd.injection_wh, qd.night
    first_present = 0
    if base.masked:  # a day with gaps: the battery rests in a missing quarter-hour (0 and 0)
        off, inj, first_present = base.masked
    n = len(off)
    first_sun, last_sun = base.first_injection_slot, base.last_injection_slot
    shaving = target != _NO_TARGET
    total_c = total_d = night_d = 0
    peak = -1
    peak_slot = 0
    start = 0
    if soc <= floor and (not shaving or soc <= lo):
        start = n if first_sun is None else first_sun
        if start:
            peak = max(off[:start])
            peak_slot = off.index(peak)
    sunny_end = start if last_sun is None else max(start, last_sun + 1)
    for i, o, j in zip(range(start, sunny_end), off[start:sunny_end], inj[start:sunny_end], strict=True):
        d = 0
        if o:
            if soc > floor:
                d = (soc - floor) // den
                if d > o:
                    d = o
            if shaving and o - d > target and soc > lo:
                extra = (soc - lo) // den
                if extra > o - target:
                    extra = o - target
                if extra > d:
                    d = extra
            if d:
                if d > pq:
                    d = pq
                o -= d
                total_d += d
                if night[i]:
                    night_d += d
            if o > peak:
                peak = o
                peak_slot = i
        if j and soc < hi:
            c = (hi - soc) // num
            if c > j:
                c = j
            if c > pq - d:
                c = pq - d
            if c > 0:
                total_c += c
                soc += c * num
        if d:
            soc -= d * den
    # After the last injection the battery only gives, until it is empty.
    stop = max(start, sunny_end)
    if not (soc <= floor and (not shaving or soc <= lo)):
        stop = n
        for i, o in zip(range(sunny_end, n), off[sunny_end:], strict=True):
            if not o:
                continue
            d = (soc - floor) // den if soc > floor else 0
            if d > o:
                d = o
            if shaving and o - d > target and soc > lo:
                extra = (soc - lo) // den
                if extra > o - target:
                    extra = o - target
                if extra > d:
                    d = extra
            if d:
                if d > pq:
                    d = pq
                o -= d
                total_d += d
                if night[i]:
                    night_d += d
                soc -= d * den
            if o > peak:
                peak = o
                peak_slot = i
            if soc <= floor and (not shaving or soc <= lo):
                stop = i + 1  # empty and no more sun today: the battery rests until tomorrow
                break
    if stop < n:
        rest = max(off[stop:])
        if rest > peak:
            peak = rest
            peak_slot = off.index(rest, stop)
    _changed_day(result, base, total_c, total_d, night_d, peak, peak_slot, first_present, soc)
    return soc


def _day_run(qd, result, soc, lo, hi, floor, num, den, pq, target, trace):  # noqa: C901, PLR0912, PLR0915
    # The hot loop: locals only, integers only, one pass (see benchmarks/battery.py).
    off, inj, night = qd.offtake_wh, qd.injection_wh, qd.night
    missing = total_off = total_night = total_inj = total_c = total_d = 0
    peak = -1
    peak_slot = None
    if trace is not None:
        t_off, t_inj = trace.new_offtake_wh.append, trace.new_injection_wh.append
        t_c, t_d, t_soc = trace.charge_wh.append, trace.discharge_wh.append, trace.soc.append
    for i in range(len(off)):
        o = off[i]
        j = inj[i]
        if o is None or j is None:
            missing += 1
            if trace is not None:
                t_off(None), t_inj(None), t_c(None), t_d(None), t_soc(None)
            continue
        d = 0
        if o:
            if soc > floor:
                d = (soc - floor) // den
                if d > o:
                    d = o
            if o - d > target and soc > lo:
                extra = (soc - lo) // den
                if extra > o - target:
                    extra = o - target
                if extra > d:
                    d = extra
            if d > pq:
                d = pq
        c = 0
        if j:
            c = (hi - soc) // num
            if c > j:
                c = j
            if c > pq - d:
                c = pq - d
        if c or d:
            soc += c * num - d * den
            total_c += c
            total_d += d
        o -= d
        total_off += o
        total_inj += j - c
        if o:
            if night[i]:
                total_night += o
            if o > peak:
                peak = o
                peak_slot = i
        elif peak < 0:
            peak = 0
            peak_slot = i
        if trace is not None:
            t_off(o), t_inj(j - c), t_c(c), t_d(d), t_soc(soc)
    result.missing = missing
    result.offtake_wh = total_off
    result.offtake_night_wh = total_night
    result.injection_wh = total_inj
    result.charge_wh = total_c
    result.discharge_wh = total_d
    if peak_slot is not None:
        result.peak_offtake_wh = peak
        result.peak_slot = peak_slot
    result.soc_end = soc
    return soc


def _wh(kwh: Decimal, code: str) -> int:
    """Decimal kWh (or kW) with at most 3 decimals to integer Wh (W)."""
    if not isinstance(kwh, Decimal) or not kwh.is_finite() or kwh.as_tuple().exponent < -3:
        raise BatteryInputInvalid(_("Geef energie en vermogen met hoogstens 3 decimalen."), code=code)
    return int(kwh * 1000)


def battery_spec_build(
    *,
    capacity_kwh: Decimal,
    power_kw: Decimal,
    efficiency: Decimal = DEFAULT_EFFICIENCY,
    depth: Decimal = DEFAULT_DEPTH,
    strategy: str = SELF_CONSUMPTION,
    peak_kw: Decimal | None = None,
    reserve: Decimal = DEFAULT_RESERVE,
) -> BatterySpec:
    """A ``BatterySpec`` from the figures people type (kWh, kW, ratios); ``BatteryInputInvalid`` if wrong."""
    peak_w = None
    if strategy == PEAK_SHAVING:
        if peak_kw is None:
            raise BatteryInputInvalid(_("Geef voor piekbeperking een doelpiek in kW."), code="peak")
        peak_w = _wh(peak_kw, "peak")
    return BatterySpec(
        capacity_wh=_wh(capacity_kwh, "capacity"),
        power_w=_wh(power_kw, "power"),
        efficiency=efficiency,
        depth=depth,
        strategy=strategy,
        peak_w=peak_w,
        reserve=reserve,
    )


@dataclass(slots=True, kw_only=True)
class MonthResult(Figures):
    """One local calendar month of a run (``month`` = the 1st): sums of its days, its peak."""

    month: date
    peak_day: date | None = None


def figures_add(total: Figures, part: Figures) -> None:
    """Add ``part`` (a day) to ``total`` (a month, a year); the first to reach the peak names it."""
    total.slots += part.slots
    total.missing += part.missing
    total.offtake_wh += part.offtake_wh
    total.offtake_night_wh += part.offtake_night_wh
    total.injection_wh += part.injection_wh
    total.charge_wh += part.charge_wh
    total.discharge_wh += part.discharge_wh
    if part.peak_offtake_wh is not None and (
        total.peak_offtake_wh is None or part.peak_offtake_wh > total.peak_offtake_wh
    ):
        total.peak_offtake_wh, total.peak_slot = part.peak_offtake_wh, part.peak_slot
        if isinstance(total, MonthResult) and isinstance(part, DayResult):
            total.peak_day = part.day


def battery_months(days: Sequence[DayResult]) -> list[MonthResult]:
    """The days' figures per local calendar month, in order (the first quarter-hour to reach a
    month's peak names it)."""
    by_month: dict[date, list[DayResult]] = {}
    for d in days:
        key = d.day.replace(day=1)
        chunk = by_month.get(key)
        if chunk is None:
            by_month[key] = [d]
        else:
            chunk.append(d)
    months = []
    for key, chunk in by_month.items():  # as ``figures_add`` per day, by C-speed built-ins
        m = MonthResult(
            month=key,
            **{name: sum(map(get, chunk)) for name, get in _SUMMED},
        )
        peaks = list(map(_PEAK, chunk))
        if peaks.count(None) < len(peaks):
            top = max(p for p in peaks if p is not None)
            first = chunk[peaks.index(top)]
            m.peak_offtake_wh, m.peak_slot, m.peak_day = top, first.peak_slot, first.day
        months.append(m)
    return months


_SUMMED = [
    (name, attrgetter(name))
    for name in (
        "slots",
        "missing",
        "offtake_wh",
        "offtake_night_wh",
        "injection_wh",
        "charge_wh",
        "discharge_wh",
    )
]
_PEAK = attrgetter("peak_offtake_wh")


# --- What it costs: the energy bill with and without a battery ---------------------------------

CAPACITY_FLOOR_W = 2500  # a month's billed peak is at least 2.5 kW (meters.selectors.tariff)
_CENT = Decimal("0.01")
_KW = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class Prices:
    """Energy prices incl. VAT that apply on a day (EUR)."""

    offtake_day_eur_per_kwh: Decimal
    offtake_night_eur_per_kwh: Decimal
    injection_eur_per_kwh: Decimal
    fixed_eur_per_year: Decimal


@dataclass(frozen=True, slots=True)
class Bill:
    """The energy bill of a run over its quarter-hours with data, in EUR (cents, half up).

    ``injection_eur`` is the compensation received (subtracted); ``capacity_eur`` is each month's
    billed peak (at least 2.5 kW) × that month's price per kW per year / 12, summed, ``None`` when
    a month with data has no price; ``average_peak_kw`` the average billed peak of those months.
    """

    offtake_eur: Decimal
    injection_eur: Decimal
    capacity_eur: Decimal | None
    fixed_eur: Decimal
    average_peak_kw: Decimal | None

    @property
    def total_eur(self) -> Decimal | None:
        if self.capacity_eur is None:
            return None
        return self.offtake_eur - self.injection_eur + self.capacity_eur + self.fixed_eur


def billed_peak_w(peak_offtake_w: int) -> int:
    return max(peak_offtake_w, CAPACITY_FLOOR_W)


def battery_bill(
    *,
    days: Sequence[DayResult],
    months: Sequence[MonthResult],
    prices_on,
    capacity_price_on,
    fixed_eur: Decimal,
) -> Bill | None:
    """Price a run. ``prices_on(day)`` gives the ``Prices`` of a local day (or ``None``),
    ``capacity_price_on(month)`` the capacity price per kW per year of a month (or ``None``).
    ``None`` when a day with data has no prices (the caller says which are missing)."""
    # The Wh of the days priced alike, then one product per price (exact: the same sum).
    # Keyed by the ``Prices`` object (its id; the dict keeps it alive): ``prices_on`` hands out
    # the same object for every day of a period.
    by_prices: dict[int, list] = {}
    for d in days:
        if not d.present:
            continue
        prices = prices_on(d.day)
        if prices is None:
            return None
        wh = by_prices.get(id(prices))
        if wh is None:
            wh = by_prices[id(prices)] = [prices, 0, 0, 0]
        wh[1] += d.offtake_wh - d.offtake_night_wh
        wh[2] += d.offtake_night_wh
        wh[3] += d.injection_wh
    offtake = injection = Decimal(0)
    for prices, day_wh, night_wh, injection_wh in by_prices.values():
        offtake += day_wh * prices.offtake_day_eur_per_kwh + night_wh * prices.offtake_night_eur_per_kwh
        injection += injection_wh * prices.injection_eur_per_kwh
    capacity = Decimal(0)
    peaks = []
    for m in months:
        if m.peak_offtake_wh is None:
            continue
        billed = billed_peak_w(m.peak_offtake_w)
        peaks.append(billed)
        price = capacity_price_on(m.month)
        if price is None or capacity is None:
            capacity = None
        else:
            capacity += Decimal(billed) * price / 12
    average = (
        (Decimal(sum(peaks)) / len(peaks) / 1000).quantize(_KW, rounding=ROUND_HALF_UP) if peaks else None
    )
    return Bill(
        offtake_eur=(offtake / 1000).quantize(_CENT, rounding=ROUND_HALF_UP),
        injection_eur=(injection / 1000).quantize(_CENT, rounding=ROUND_HALF_UP),
        capacity_eur=None if capacity is None else (capacity / 1000).quantize(_CENT, rounding=ROUND_HALF_UP),
        fixed_eur=fixed_eur.quantize(_CENT, rounding=ROUND_HALF_UP),
        average_peak_kw=average,
    )


def payback_years(*, price_eur: Decimal | None, saving_eur: Decimal | None) -> Decimal | None:
    """Simple payback: the battery's price / the yearly saving, 1 decimal; ``None`` without a price
    or without a positive saving (it never pays back)."""
    if price_eur is None or saving_eur is None or saving_eur <= 0:
        return None
    return (price_eur / saving_eur).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
