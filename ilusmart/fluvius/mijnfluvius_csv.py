"""The Mijn Fluvius "Verbruikshistoriek" CSV export (quarter-hour totals): its format, read as ``DayReadings``.

A homeowner downloads it in Mijn Fluvius (Verbruik → rapport downloaden) and uploads it to the
portal. The format (``../shared/domain/fluvius-api.md``, "Mijn Fluvius CSV export"): semicolons,
decimal comma, local Brussels wall-clock times, EAN written as ``="5414…"``, one row per register
per quarter-hour, with the older Dutch, the newer Dutch or the English header.

``read_mijn_fluvius_csv`` reads the rows of such a file (text lines, BOM and file checks are the
caller's) in one pass and returns one ``DayReadings`` per local day with Fluvius's quality codes,
or raises ``MijnFluviusCsvRejected`` with the messages for the person. What it knows:

- **Header**: the known variants (others with the same columns pass too); a file with day or
  hour totals instead of quarter-hours is named as such.
- **First row** decides the file: electricity (unit kWh), quarter-hours, this meter's EAN (an
  EAN that Excel turned into ``5,41E+17`` is named as such).
- **Time.** ``Van``/``From`` is the local start of the quarter-hour. On the last Sunday of
  October the 02:00–03:00 hour happens twice: the first row of a (time, direction) is the
  summer-time one (+02:00), the second the winter-time one (+01:00), whatever order the rows
  are in. A third row, or a second one outside that hour, is a duplicate. A time in the March
  gap (02:00–03:00 on the last Sunday of March) does not exist. ``Tot`` is the wall clock 15
  minutes later, or (October) the wall clock at the quarter-hour's end. Dates must satisfy the
  caller's ``day_allowed``.
- **Values.** Registers map to direction and register (``Afname Dag`` → offtake/day …), statuses
  to ``ValidationState`` (``Gevalideerd`` VAL, ``Uitgelezen`` READ, ``Geschat`` EST, ``Niet
  gevalideerd`` NVAL). Volumes are kWh with at most 3 decimals (whole Wh), never negative.
- **"Geen verbruik" / "No consumption" is missing, not zero.** In the real exports those rows
  have an empty volume, come in both directions of a quarter-hour at once and in long runs,
  while a real zero is written as ``0,000`` with a normal status. So that status means "Fluvius
  has no value here"; an empty volume with any other status is missing too, and a volume on a
  "Geen verbruik" row is not trusted.

One broken row rejects the file; the messages list the first ``max_listed`` by row number (the
header is row 1). A refused cell is quoted in at most ``CELL_EXCERPT_CHARS`` characters.

Speed and memory (issue 8, item 15; ``benchmarks/csv_import.py``): one pass, no object per
value; every cell that repeats (EAN, unit, register, status, date, time, volume) is parsed once
and cached; values go straight into per-day arrays, so memory grows with the days, not the rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ilusmart.fluvius.slots import BRUSSELS, MISSING, QUALITY_CODES, QUARTER, day_start_utc, slots_in_day
from ilusmart.fluvius.types import DayReadings, Direction, Register, ValidationState

CELL_EXCERPT_CHARS = 40
MAX_LISTED_ROW_ERRORS = 20

# Header cell (case-folded, spaces collapsed) -> our column name.
_HEADER_ALIASES: dict[str, str] = {
    "van datum": "from_date",
    "van (datum)": "from_date",
    "from (date)": "from_date",
    "van tijdstip": "from_time",
    "van (tijdstip)": "from_time",
    "from (time)": "from_time",
    "tot datum": "to_date",
    "tot (datum)": "to_date",
    "until (date)": "to_date",
    "to (date)": "to_date",
    "tot tijdstip": "to_time",
    "tot (tijdstip)": "to_time",
    "until (time)": "to_time",
    "to (time)": "to_time",
    "ean": "ean",
    "ean-code": "ean",
    "ean code": "ean",
    "meter": "meter",
    "metertype": "meter_type",
    "meter type": "meter_type",
    "register": "register",
    "volume": "volume",
    "eenheid": "unit",
    "unit": "unit",
    "validatiestatus": "status",
    "validation status": "status",
    "omschrijving": "description",
    "description": "description",
}
_REQUIRED_COLUMNS = (
    "from_date",
    "from_time",
    "to_date",
    "to_time",
    "ean",
    "register",
    "volume",
    "unit",
    "status",
)
# The documented headers, to name the variant in the summary (others with the same columns pass too).
_KNOWN_HEADERS = {
    "nl-old": "van datum;van tijdstip;tot datum;tot tijdstip;ean;meter;metertype;register;volume;eenheid;validatiestatus",
    "nl-new": "van (datum);van (tijdstip);tot (datum);tot (tijdstip);ean-code;meter;metertype;register;volume;"
    "eenheid;validatiestatus;omschrijving",
    "en": "from (date);from (time);until (date);until (time);ean code;meter;meter type;register;volume;unit;"
    "validation status;description",
}
_REGISTERS: dict[str, tuple[Direction, Register]] = {
    "afname dag": (Direction.OFFTAKE, Register.DAY),
    "afname nacht": (Direction.OFFTAKE, Register.NIGHT),
    "afname totaal": (Direction.OFFTAKE, Register.TOTAL),
    "injectie dag": (Direction.INJECTION, Register.DAY),
    "injectie nacht": (Direction.INJECTION, Register.NIGHT),
    "injectie totaal": (Direction.INJECTION, Register.TOTAL),
    "offtake day": (Direction.OFFTAKE, Register.DAY),
    "offtake night": (Direction.OFFTAKE, Register.NIGHT),
    "offtake total": (Direction.OFFTAKE, Register.TOTAL),
    "injection day": (Direction.INJECTION, Register.DAY),
    "injection night": (Direction.INJECTION, Register.NIGHT),
    "injection total": (Direction.INJECTION, Register.TOTAL),
}
NO_VALUE = None  # a status that means "Fluvius has no value for this quarter-hour"
_STATUSES: dict[str, ValidationState | None] = {
    "gevalideerd": ValidationState.VAL,
    "validated": ValidationState.VAL,
    "uitgelezen": ValidationState.READ,
    "read": ValidationState.READ,
    "geschat": ValidationState.EST,
    "estimated": ValidationState.EST,
    "niet gevalideerd": ValidationState.NVAL,
    "not validated": ValidationState.NVAL,
    "geen verbruik": NO_VALUE,
    "no consumption": NO_VALUE,
}

_DATE_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_EAN = re.compile(r'=?"?\s*(\d{18})\s*"?')
_EAN_MANGLED = re.compile(r"\d[.,]\d+E\+\d+", re.IGNORECASE)  # what Excel makes of an 18-digit number
_VOLUME = re.compile(r"(\d+)(?:[,.](\d+))?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_QUARTER_MINUTES = 15
_PG_INT_MAX = 2**31 - 1


class MijnFluviusCsvRejected(Exception):
    """The file is refused as a whole; ``messages`` (translated) say why, for the person."""

    def __init__(self, code: str, messages: list[str]):
        super().__init__(messages[0] if messages else code)
        self.code = code
        self.messages = messages


@dataclass
class MijnFluviusExport:
    """What a file held: its days, and counts per row (one row of the file is one value)."""

    days: list[DayReadings] = field(default_factory=list)
    header_variant: str = ""
    rows_read: int = 0
    values_missing: int = 0  # no value in the file ("Geen verbruik" or an empty volume)
    missing_no_consumption: int = 0
    missing_empty_volume: int = 0
    first_day: date | None = None
    last_day: date | None = None


def excerpt(text: str) -> str:
    """A cell as a message may quote it: whitespace collapsed, no control characters, at most
    ``CELL_EXCERPT_CHARS`` (cut with "…"), so a refusal never copies a file into an audit."""
    text = " ".join(_CONTROL.sub(" ", text[: 4 * CELL_EXCERPT_CHARS]).split())
    if len(text) > CELL_EXCERPT_CHARS:
        return text[: CELL_EXCERPT_CHARS - 1] + "…"
    return text


def not_an_export(detail: str) -> MijnFluviusCsvRejected:
    return MijnFluviusCsvRejected(
        "not_an_export",
        [
            _(
                "Dit is geen verbruiksexport van Mijn Fluvius. Kies in Mijn Fluvius Verbruik → rapport "
                "downloaden, kwartiertotalen, en laad dat CSV-bestand op."
            ),
            detail,
        ],
    )


def _day_totals() -> MijnFluviusCsvRejected:
    return MijnFluviusCsvRejected(
        "not_quarter_hours",
        [
            _(
                "Dit bestand bevat dagtotalen of uurtotalen, geen kwartiertotalen. Kies in Mijn Fluvius "
                "bij het downloaden van het rapport voor kwartiertotalen."
            )
        ],
    )


def _header_columns(header: list[str]) -> tuple[dict[str, int], str]:
    """Column name -> index, and the variant's name; refuses a header that is not an export's."""
    cells = [" ".join(cell.replace("\ufeff", "").split()).casefold() for cell in header]
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _HEADER_ALIASES.get(cell)
        if name and name not in columns:
            columns[name] = index
    if "from_date" in columns and "from_time" not in columns and "to_time" not in columns:
        raise _day_totals()
    missing = [name for name in _REQUIRED_COLUMNS if name not in columns]
    if missing:
        if len(header) == 1 and "," in header[0]:
            detail = _("De kolommen zijn gescheiden door komma's in plaats van puntkomma's.")
        else:
            detail = _("De kolomtitels op de eerste regel zijn niet die van een Mijn Fluvius-export.")
        raise not_an_export(detail)
    joined = ";".join(cells)
    variant = next((name for name, known in _KNOWN_HEADERS.items() if known == joined), "other")
    return columns, variant


def _parse_date(text: str) -> date:
    text = text.strip()
    if match := _DATE_DMY.fullmatch(text):
        day, month, year = match.groups()
    elif match := _DATE_ISO.fullmatch(text):
        year, month, day = match.groups()
    else:
        raise ValueError(text)
    return date(int(year), int(month), int(day))


def _parse_time(text: str) -> tuple[int, int, int]:
    match = _TIME.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(text)
    return hour, minute, second


def _local_naive(date_text: str, time_text: str) -> datetime:
    day = _parse_date(date_text)
    hour, minute, second = _parse_time(time_text)
    return datetime(day.year, day.month, day.day, hour, minute, second)


def parse_ean(text: str) -> str | None:
    match = _EAN.fullmatch(text.strip())
    return match[1] if match else None


def parse_volume_wh(text: str) -> int:
    """kWh with a decimal comma or point and at most 3 decimals (trailing zeros aside), as whole
    Wh; ``ValueError`` for anything else (a sign, a fourth decimal, text)."""
    match = _VOLUME.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    whole, fraction = match.groups()
    fraction = fraction or ""
    if len(fraction) > 3:
        if fraction[3:].strip("0"):
            raise ValueError(text)
        fraction = fraction[:3]
    wh = int(whole) * 1000 + int(fraction.ljust(3, "0"))
    if wh > _PG_INT_MAX:
        raise ValueError(text)
    return wh


_PLAIN_WALLS = {15 * i: (i,) for i in range(96)}


class _Day:
    """One local day being filled: values, quality codes and which (slot, direction) rows were seen."""

    __slots__ = ("day", "ends", "off_q", "off_wh", "inj_q", "inj_wh", "seen", "walls")

    def __init__(self, day: date):
        self.day = day
        n = slots_in_day(day)
        self.off_wh: list[int | None] = [None] * n
        self.inj_wh: list[int | None] = [None] * n
        self.off_q = [MISSING] * n
        self.inj_q = [MISSING] * n
        self.seen = bytearray(2 * n)  # per slot and direction: a row was seen
        # Wall-clock minute of the day -> its slots (two in October's repeated hour, none in
        # March's gap), and each slot's wall-clock end.
        if n == 96:  # no clock change: slot i starts at wall-clock minute 15 × i
            self.walls = _PLAIN_WALLS
            midnight = datetime(day.year, day.month, day.day)
            self.ends = [midnight + (i + 1) * QUARTER for i in range(96)]
            return
        self.walls: dict[int, tuple[int, ...]] = {}
        self.ends: list[datetime] = []
        start = day_start_utc(day)
        for i in range(n):
            local = (start + i * QUARTER).astimezone(BRUSSELS)
            minute = local.hour * 60 + local.minute
            self.walls[minute] = (*self.walls.get(minute, ()), i)
            end = (start + (i + 1) * QUARTER).astimezone(BRUSSELS)
            self.ends.append(end.replace(tzinfo=None))

    def readings(self) -> DayReadings:
        return DayReadings(self.day, self.off_wh, self.inj_wh, "".join(self.off_q), "".join(self.inj_q))


def read_mijn_fluvius_csv(
    lines: Iterable[str],
    *,
    ean: str,
    day_allowed: Callable[[date], bool],
    max_listed: int = MAX_LISTED_ROW_ERRORS,
) -> MijnFluviusExport:
    """Read an export's text ``lines`` (without BOM) for the meter ``ean``: its days, or a refusal.

    ``day_allowed(day)`` says which local dates may be imported (the message names 2010 …
    tomorrow). Raises ``MijnFluviusCsvRejected`` for a file that is not an export for this meter,
    and for one with broken rows (all of them counted, the first ``max_listed`` listed).
    """
    reader = csv.reader(lines, delimiter=";", quotechar='"', strict=True)
    export = MijnFluviusExport()
    errors: list[str] = []
    error_rows = 0
    columns: dict[str, int] | None = None
    days: dict[date, _Day] = {}
    # Caches: every repeated cell is parsed once.
    dates: dict[str, date | None] = {}
    times: dict[str, tuple[int, int, int] | None] = {}
    volumes: dict[str, int | None] = {}
    registers = {}
    statuses = {}
    allowed: dict[date, bool] = {}
    good_ean_cells: set[str] = set()
    codes = QUALITY_CODES

    def row_error(line: int, message: str) -> None:
        nonlocal error_rows
        error_rows += 1
        if len(errors) < max_listed:
            errors.append(_("Rij %(row)s: %(problem)s") % {"row": line, "problem": message})

    try:
        for cells in reader:
            if columns is None:
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) == 1 and cells[0].strip().casefold().startswith("sep="):
                    continue  # Excel's separator hint
                columns, export.header_variant = _header_columns(cells)
                widest = max(columns.values())
                i_from_date, i_from_time = columns["from_date"], columns["from_time"]
                i_to_date, i_to_time = columns["to_date"], columns["to_time"]
                i_ean, i_register, i_volume = columns["ean"], columns["register"], columns["volume"]
                i_unit, i_status = columns["unit"], columns["status"]
                continue
            if len(cells) <= widest:
                if not any(c.strip() for c in cells):
                    continue
                if export.rows_read == 0:
                    _check_first_row(cells, columns, ean)
                export.rows_read += 1
                row_error(reader.line_num, _("te weinig kolommen."))
                continue
            if not cells[i_from_date].strip() and not any(c.strip() for c in cells):
                continue
            if export.rows_read == 0:
                _check_first_row(cells, columns, ean)
            export.rows_read += 1
            problem = None
            # EAN and unit: the same cell on every row of a good file.
            ean_cell = cells[i_ean]
            if ean_cell not in good_ean_cells:
                found = parse_ean(ean_cell)
                if found is None:
                    problem = _("geen geldige EAN-code (%(ean)s).") % {"ean": excerpt(ean_cell.strip())}
                elif found != ean:
                    problem = _("andere EAN-code (%(ean)s) dan deze meter.") % {"ean": found}
                else:
                    good_ean_cells.add(ean_cell)
            if problem is None:
                unit = cells[i_unit]
                if unit != "kWh" and unit.strip().casefold() != "kwh":
                    problem = _("eenheid %(unit)s in plaats van kWh.") % {"unit": excerpt(unit.strip())}
            if problem is None:
                register_cell = cells[i_register]
                register = registers.get(register_cell)
                if register is None:
                    register = _REGISTERS.get(" ".join(register_cell.split()).casefold())
                    if register is None:
                        problem = _("onbekend register (%(register)s).") % {
                            "register": excerpt(register_cell.strip())
                        }
                    else:
                        registers[register_cell] = register
            if problem is None:
                status_cell = cells[i_status]
                if status_cell in statuses:
                    state = statuses[status_cell]
                else:
                    status_text = " ".join(status_cell.split()).casefold()
                    if status_text not in _STATUSES:
                        problem = _("onbekende validatiestatus (%(status)s).") % {
                            "status": excerpt(status_cell.strip())
                        }
                    else:
                        state = statuses[status_cell] = _STATUSES[status_text]
            if problem is None:
                problem = _place_row(cells, i_from_date, i_from_time, i_to_date, i_to_time, i_volume,
                                     register_cell, register, state, export, days, dates, times,
                                     volumes, allowed, day_allowed, codes)  # fmt: skip
            if problem:
                row_error(reader.line_num, problem)
    except csv.Error as error:
        raise not_an_export(
            _("Regel %(row)s is geen geldige CSV-regel.") % {"row": reader.line_num}
        ) from error
    if columns is None:
        raise MijnFluviusCsvRejected("empty", [_("Het bestand is leeg.")])
    if export.rows_read == 0:
        raise MijnFluviusCsvRejected(
            "no_rows", [_("Het bestand bevat geen meetwaarden, alleen kolomtitels.")]
        )
    if error_rows:
        raise MijnFluviusCsvRejected("rows", _row_messages(error_rows, errors))
    export.days = [days[day].readings() for day in sorted(days)]
    return export


def _row_messages(error_rows: int, errors: list[str]) -> list[str]:
    messages = [
        ngettext(
            "%(count)s rij van het bestand is niet in orde; er werd niets ingelezen.",
            "%(count)s rijen van het bestand zijn niet in orde; er werd niets ingelezen.",
            error_rows,
        )
        % {"count": error_rows},
        *errors,
    ]
    if error_rows > len(errors):
        messages.append(
            ngettext(
                "… en nog %(count)s rij met een fout.",
                "… en nog %(count)s rijen met een fout.",
                error_rows - len(errors),
            )
            % {"count": error_rows - len(errors)}
        )
    return messages


def _cached_date(text: str, dates: dict) -> date | None:
    if text in dates:
        return dates[text]
    try:
        value = _parse_date(text)
    except ValueError:
        value = None
    dates[text] = value
    return value


def _cached_time(text: str, times: dict) -> tuple[int, int, int] | None:
    if text in times:
        return times[text]
    try:
        value = _parse_time(text)
    except ValueError:
        value = None
    times[text] = value
    return value


def _place_row(
    cells, i_from_date, i_from_time, i_to_date, i_to_time, i_volume, register_cell, register, state,
    export, days, dates, times, volumes, allowed, day_allowed, codes,
) -> str | None:  # fmt: skip
    """Check one row's times and volume and put its value in its day; what is wrong, if anything."""
    from_date, from_time = cells[i_from_date], cells[i_from_time]
    day = _cached_date(from_date, dates)
    start_time = _cached_time(from_time, times)
    if day is None or start_time is None:
        return _("ongeldige begindatum of -tijd (%(date)s %(time)s).") % {
            "date": excerpt(from_date.strip()),
            "time": excerpt(from_time.strip()),
        }
    to_date, to_time = cells[i_to_date], cells[i_to_time]
    end_day = _cached_date(to_date, dates)
    end_time = _cached_time(to_time, times)
    if end_day is None or end_time is None:
        return _("ongeldige einddatum of -tijd (%(date)s %(time)s).") % {
            "date": excerpt(to_date.strip()),
            "time": excerpt(to_time.strip()),
        }
    ok = allowed.get(day)
    if ok is None:
        ok = allowed[day] = day_allowed(day)
    if not ok:
        return _("%(date)s ligt buiten de periode die je kan inlezen (1 januari 2010 tot en met morgen).") % {
            "date": excerpt(from_date.strip())
        }
    hour, minute, second = start_time
    if minute % _QUARTER_MINUTES or second:
        return _("%(time)s is geen begin van een kwartier.") % {"time": excerpt(from_time.strip())}
    entry = days.get(day)
    if entry is None:
        entry = days[day] = _Day(day)
    wall = hour * 60 + minute
    candidates = entry.walls.get(wall)
    if candidates is None:
        return _(
            "%(date)s %(time)s bestaat niet: de klok sprong die nacht van 02:00 naar 03:00 (zomertijd)."
        ) % {
            "date": excerpt(from_date.strip()),
            "time": excerpt(from_time.strip()),
        }
    direction, register_kind = register
    offset = 0 if direction == Direction.OFFTAKE else 1
    seen = entry.seen
    slot = next((s for s in candidates if not seen[2 * s + offset]), None)
    if slot is None:
        return _("dubbele rij: %(date)s %(time)s (%(register)s) staat al eerder in het bestand.") % {
            "date": excerpt(from_date.strip()),
            "time": excerpt(from_time.strip()),
            "register": excerpt(register_cell.strip()),
        }
    # "Tot" is the local end: the wall clock after 15 minutes (02:00 again after the first
    # 02:45 in October) or, as some files write it, simply 15 minutes later on the clock.
    local_end = datetime(end_day.year, end_day.month, end_day.day, *end_time)
    local_start = datetime(day.year, day.month, day.day, hour, minute)
    if local_end != entry.ends[slot] and local_end - local_start != QUARTER:
        return _("%(start)s tot %(end)s is geen kwartier.") % {
            "start": excerpt(f"{from_date.strip()} {from_time.strip()}"),
            "end": excerpt(f"{to_date.strip()} {to_time.strip()}"),
        }
    seen[2 * slot + offset] = 1
    if export.first_day is None or day < export.first_day:
        export.first_day = day
    if export.last_day is None or day > export.last_day:
        export.last_day = day
    volume = cells[i_volume]
    if state is NO_VALUE or not volume.strip():
        export.values_missing += 1
        if state is NO_VALUE:
            export.missing_no_consumption += 1
        else:
            export.missing_empty_volume += 1
        return None
    wh = volumes.get(volume, -1)
    if wh == -1:
        try:
            wh = parse_volume_wh(volume)
        except ValueError:
            wh = None
        volumes[volume] = wh
    if wh is None:
        if volume.lstrip().startswith("-"):
            return _("negatief volume (%(volume)s).") % {"volume": excerpt(volume.strip())}
        return _("ongeldig volume (%(volume)s): verwacht kWh met hoogstens 3 decimalen.") % {
            "volume": excerpt(volume.strip())
        }
    if offset:
        entry.inj_wh[slot] = wh
        entry.inj_q[slot] = codes[(state, register_kind)]
    else:
        entry.off_wh[slot] = wh
        entry.off_q[slot] = codes[(state, register_kind)]
    return None


def _check_first_row(cells: list[str], columns: dict[str, int], ean: str) -> None:
    """Refuse the whole file when its first row is for another meter, another energy or day totals."""

    def cell(name: str) -> str:
        index = columns[name]
        return cells[index].strip() if index < len(cells) else ""

    unit = cell("unit")
    if unit and unit.casefold() != "kwh":
        raise MijnFluviusCsvRejected(
            "unit",
            [
                _(
                    "Dit bestand bevat waarden in %(unit)s. Alleen elektriciteit (kWh) kan worden ingelezen; "
                    "gas of andere energie niet."
                )
                % {"unit": excerpt(unit)}
            ],
        )
    try:
        start = _local_naive(cell("from_date"), cell("from_time"))
        end = _local_naive(cell("to_date"), cell("to_time"))
    except ValueError:
        return  # reported with the row
    if end - start >= timedelta(hours=1):
        raise _day_totals()
    raw_ean = cell("ean")
    found = parse_ean(raw_ean)
    if found is None and _EAN_MANGLED.fullmatch(raw_ean):
        raise MijnFluviusCsvRejected(
            "ean_mangled",
            [
                _(
                    "De EAN-code in dit bestand is onleesbaar geworden (bv. %(ean)s), wellicht doordat het "
                    "bestand in Excel werd geopend en bewaard. Download het rapport opnieuw en laad het "
                    "ongewijzigd op."
                )
                % {"ean": excerpt(raw_ean)}
            ],
        )
    if found is not None and found != ean:
        raise MijnFluviusCsvRejected(
            "other_ean",
            [
                _(
                    "Dit bestand hoort bij EAN %(file_ean)s, niet bij deze meter (EAN %(meter_ean)s). "
                    "Kies de juiste meter of download het rapport van deze meter."
                )
                % {"file_ean": found, "meter_ean": ean}
            ],
        )
