"""Import a Mijn Fluvius "Verbruikshistoriek" CSV export (quarter-hour totals) into a meter.

The homeowner downloads the export in Mijn Fluvius (Verbruik → rapport downloaden) and uploads
it here; staff can do the same for a homeowner from the admin. The file format is described in
``../shared/domain/fluvius-api.md`` ("Mijn Fluvius CSV export"): semicolons, UTF-8 with a BOM,
decimal comma, local Brussels wall-clock times, EAN written as ``="5414…"``, one row per
register per quarter-hour, with the older Dutch, the newer Dutch or the English header.

Rules, in the order they are applied:

1. **Size and kind first.** More than ``settings.READINGS_IMPORT_MAX_BYTES`` is refused before
   anything is parsed; so are an empty file, an Excel workbook, a binary file and anything that
   is not UTF-8 text.
2. **The whole file is checked before anything is written** (all or nothing). The header must
   be one of the known variants; the first row decides whether the file is for this meter (EAN),
   for electricity (unit kWh) and has quarter-hours (not day totals). Then every row is checked;
   one broken row rejects the file, and the message lists the first
   ``MAX_LISTED_ROW_ERRORS`` of them by row number (the header is row 1).
3. **Time.** ``Van``/``From`` is the local start of the quarter-hour. On the last Sunday of
   October the 02:00–03:00 hour happens twice: the first row of a (time, direction) is the
   summer-time one (+02:00), the second the winter-time one (+01:00), whatever order the rows
   are in. A third row, or a second one outside that hour, is a duplicate. A time in the March
   gap (02:00–03:00 on the last Sunday of March) does not exist and rejects the file.
   Every date must lie within 1 January 2010 … tomorrow (``data_day_allowed``).
4. **Values.** Registers map to direction and register (``Afname Dag`` → offtake/day …),
   statuses to ``ValidationState`` (``Gevalideerd`` VAL, ``Uitgelezen`` READ, ``Geschat`` EST).
   Volumes are kWh with at most 3 decimals (whole Wh), never negative.
5. **"Geen verbruik" / "No consumption" is missing, not zero.** In the real exports those rows
   have an empty volume, come in both directions of a quarter-hour at once and in long runs
   (e.g. hours of a night in which a home certainly used *some* energy), while a real zero is
   written as ``0,000`` with a normal status (injection at night is ``0,000 Gevalideerd``). So
   the status says "Fluvius has no value here", and a missing value never overwrites anything.
   An empty volume with any other status counts as missing too, and a volume on a "Geen
   verbruik" row is not trusted (the status says there is no value).
6. **Merging** is ``readings_ingest``'s, with the values marked as imported: they only fill
   quarter-hours Fluvius has not delivered and never replace a value that came from Fluvius
   (whatever its state; Fluvius's own later values replace imported ones). Between imports, a
   value of better or equal quality replaces the stored one, a stored better value is kept
   (EST < READ < VAL). Each stored day counts its imported values, so pages and exports say
   where a day's figures came from (Fluvius, import or both).

Every attempt is recorded in ``ReadingImport`` (who, which meter, the file's name, when, the
summary or the reason for refusal); the file's contents are not kept: a message that names a
refused cell quotes at most ``CELL_EXCERPT_CHARS`` of it (``_excerpt``), and each stored
message is cut at ``MAX_MESSAGE_CHARS``. An upload the views refuse
for its declared size before reading it is recorded by ``readings_csv_import_too_large``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ilusmart import errors
from ilusmart.errors import ApplicationError
from ilusmart.fluvius.types import Direction, QuarterHourValue, Register, ValidationState
from meters.models import Meter, ReadingImport
from meters.quarterhours import SOURCE_IMPORT
from meters.selectors.periods import data_day_allowed, local_today
from meters.services.faults import faults_detect
from meters.services.ingest import readings_ingest

BRUSSELS = ZoneInfo("Europe/Brussels")
QUARTER = timedelta(minutes=15)
MAX_LISTED_ROW_ERRORS = 20
CELL_EXCERPT_CHARS = 40
MAX_MESSAGE_CHARS = 300
_WH = Decimal("0.001")

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
_NO_VALUE = None  # a status that means "Fluvius has no value for this quarter-hour"
_STATUSES: dict[str, ValidationState | None] = {
    "gevalideerd": ValidationState.VAL,
    "validated": ValidationState.VAL,
    "uitgelezen": ValidationState.READ,
    "read": ValidationState.READ,
    "geschat": ValidationState.EST,
    "estimated": ValidationState.EST,
    "niet gevalideerd": ValidationState.NVAL,
    "not validated": ValidationState.NVAL,
    "geen verbruik": _NO_VALUE,
    "no consumption": _NO_VALUE,
}

_DATE_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_EAN = re.compile(r'=?"?\s*(\d{18})\s*"?')
_EAN_MANGLED = re.compile(r"\d[.,]\d+E\+\d+", re.IGNORECASE)  # what Excel makes of an 18-digit number
_VOLUME = re.compile(r"(\d+)(?:[,.](\d+))?")


class ReadingImportRejected(ApplicationError):
    """The file was refused; nothing was written. ``messages`` are translated, for the person."""

    def __init__(self, code: str, messages: list[str], *, kind: str = errors.INVALID):
        super().__init__(messages[0] if messages else "", code=code, kind=kind)
        self.messages = messages
        self.record: ReadingImport | None = None


@dataclass
class ImportSummary:
    """What an import did, per quarter-hour value (one row of the file is one value).

    ``rows_read`` = ``values_imported`` + ``values_updated`` + ``values_unchanged``
    + ``values_kept_better`` + ``values_kept_fluvius`` + ``values_missing``. Days are local
    (Europe/Brussels) dates.
    """

    rows_read: int = 0
    values_imported: int = 0  # filled an empty quarter-hour
    values_updated: int = 0  # replaced a stored value of lower or equal quality that differed
    values_unchanged: int = 0  # the same value was already stored
    values_kept_better: int = 0  # a better value (e.g. validated over estimated) was stored: kept
    values_kept_fluvius: int = 0  # Fluvius delivered this quarter-hour: its value is kept
    values_missing: int = 0  # no value in the file ("Geen verbruik" or an empty volume)
    missing_no_consumption: int = 0
    missing_empty_volume: int = 0
    first_day: date | None = None
    last_day: date | None = None
    days_touched: int = 0
    header_variant: str = ""
    import_id: int | None = field(default=None, compare=False)

    @property
    def values_kept(self) -> int:
        """Values not written because the stored value was better, equal or from Fluvius."""
        return self.values_unchanged + self.values_kept_better + self.values_kept_fluvius

    @property
    def values_skipped(self) -> int:
        return self.values_kept + self.values_missing

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("import_id")
        data["first_day"] = self.first_day.isoformat() if self.first_day else None
        data["last_day"] = self.last_day.isoformat() if self.last_day else None
        return data

    @classmethod
    def from_json(cls, data: dict, *, import_id: int | None = None) -> ImportSummary:
        known = {f for f in cls.__dataclass_fields__ if f != "import_id"}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("first_day", "last_day"):
            if values.get(key):
                values[key] = date.fromisoformat(values[key])
        return cls(**values, import_id=import_id)


def readings_csv_import(*, meter: Meter, file, uploaded_by) -> ImportSummary:
    """Check a Mijn Fluvius CSV export for ``meter`` whole, then merge its values (module docstring).

    ``file`` is an uploaded file (anything with ``read()``, ideally ``name`` and ``size``).
    Returns the summary; raises ``ReadingImportRejected`` (with the messages to show) when the
    file is refused, in which case no reading was written. Both outcomes leave a
    ``ReadingImport`` row naming ``uploaded_by`` and, as ``customer``, the meter's owner: the
    file's days become part of what that homeowner sees (``meters.selectors.visibility``).
    """
    filename = (getattr(file, "name", "") or "")[:255]
    try:
        summary, values = _parse(meter=meter, file=file)
    except ReadingImportRejected as rejected:
        rejected.record = ReadingImport.objects.create(
            meter=meter,
            uploaded_by=uploaded_by,
            customer_id=meter.owner_id,
            filename=filename,
            status=ReadingImport.Status.REJECTED,
            summary={
                "error": rejected.code,
                "messages": [_cut(m) for m in rejected.messages[: MAX_LISTED_ROW_ERRORS + 2]],
            },
        )
        raise
    with transaction.atomic():
        result = readings_ingest(meter=meter, values=values, source=SOURCE_IMPORT)
        summary.values_imported = result.inserted
        summary.values_updated = result.updated
        summary.values_unchanged = result.unchanged
        summary.values_kept_better = result.skipped_lower_quality
        summary.values_kept_fluvius = result.skipped_fluvius
        summary.days_touched = result.days_touched
        record = ReadingImport.objects.create(
            meter=meter,
            uploaded_by=uploaded_by,
            customer_id=meter.owner_id,
            filename=filename,
            status=ReadingImport.Status.IMPORTED,
            summary=summary.as_json(),
        )
    summary.import_id = record.pk
    if summary.first_day and summary.last_day:  # fault detection over the file's days
        span = (summary.last_day - summary.first_day).days
        faults_detect(meter=meter, days=[summary.first_day + timedelta(days=n) for n in range(span + 1)])
    return summary


def readings_csv_import_too_large(*, meter: Meter, uploaded_by, declared_bytes: int) -> ReadingImport:
    """Record an upload refused (HTTP 413) for its declared size before its body was read.

    The audit lists it like every other refusal (code ``too_large``), with the size the request
    declared; the file's name is in the unread body, so the row has none.
    """
    return ReadingImport.objects.create(
        meter=meter,
        uploaded_by=uploaded_by,
        customer_id=meter.owner_id,
        filename="",
        status=ReadingImport.Status.REJECTED,
        summary={"error": "too_large", "messages": [too_large_message()], "declared_bytes": declared_bytes},
    )


# --- Reading the file -------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _excerpt(text: str) -> str:
    """A cell as a message may quote it: whitespace collapsed, no control characters, at most
    ``CELL_EXCERPT_CHARS`` (cut with "…"), so a refusal never copies a file into the audit."""
    text = " ".join(_CONTROL.sub(" ", text[: 4 * CELL_EXCERPT_CHARS]).split())
    if len(text) > CELL_EXCERPT_CHARS:
        return text[: CELL_EXCERPT_CHARS - 1] + "…"
    return text


def _cut(message: str) -> str:
    """A message as the audit row keeps it: at most ``MAX_MESSAGE_CHARS``."""
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"


def _read_text(file) -> str:
    """The file's text, or a refusal for a file that is too big, empty, binary or not UTF-8."""
    limit = settings.READINGS_IMPORT_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise _too_large()
    data = file.read(limit + 1)
    if len(data) > limit:
        raise _too_large()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise ReadingImportRejected("empty", [_("Het bestand is leeg.")])
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ReadingImportRejected(
            "excel",
            [
                _(
                    "Dit is een Excel-bestand, geen CSV-bestand. Download het rapport in Mijn Fluvius "
                    "opnieuw als CSV en laad dat bestand op zonder het eerst in Excel te openen."
                )
            ],
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:65536]:
        raise ReadingImportRejected(
            "binary",
            [_("Dit is geen tekstbestand. Laad het CSV-bestand op dat je uit Mijn Fluvius downloadde.")],
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReadingImportRejected(
            "encoding",
            [
                _(
                    "Dit bestand is geen UTF-8-tekst zoals Mijn Fluvius het maakt (misschien opnieuw bewaard "
                    "in een ander programma). Download het rapport opnieuw en laad het ongewijzigd op."
                )
            ],
        ) from error


def too_large_message() -> str:
    """The message for a file above ``settings.READINGS_IMPORT_MAX_BYTES`` (views use it too)."""
    return _(
        "Het bestand is groter dan %(mb)s MB. Download in Mijn Fluvius een kortere periode "
        "(bijvoorbeeld één jaar) en laad de bestanden na elkaar op."
    ) % {"mb": settings.READINGS_IMPORT_MAX_BYTES // (1024 * 1024)}


def _too_large() -> ReadingImportRejected:
    return ReadingImportRejected("too_large", [too_large_message()], kind=errors.TOO_LARGE)


def _not_an_export(detail: str) -> ReadingImportRejected:
    return ReadingImportRejected(
        "not_an_export",
        [
            _(
                "Dit is geen verbruiksexport van Mijn Fluvius. Kies in Mijn Fluvius Verbruik → rapport "
                "downloaden, kwartiertotalen, en laad dat CSV-bestand op."
            ),
            detail,
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
        raise _not_an_export(detail)
    joined = ";".join(cells)
    variant = next((name for name, known in _KNOWN_HEADERS.items() if known == joined), "other")
    return columns, variant


def _day_totals() -> ReadingImportRejected:
    return ReadingImportRejected(
        "not_quarter_hours",
        [
            _(
                "Dit bestand bevat dagtotalen of uurtotalen, geen kwartiertotalen. Kies in Mijn Fluvius "
                "bij het downloaden van het rapport voor kwartiertotalen."
            )
        ],
    )


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


def _is_ambiguous(local: datetime) -> bool:
    """True in the repeated October hour: the wall-clock time happens twice."""
    return (
        local.replace(tzinfo=BRUSSELS, fold=0).utcoffset()
        != local.replace(tzinfo=BRUSSELS, fold=1).utcoffset()
    )


def _exists(local: datetime) -> bool:
    """False in the March gap: the wall-clock time never happens."""
    aware = local.replace(tzinfo=BRUSSELS)
    return aware.astimezone(UTC).astimezone(BRUSSELS).replace(tzinfo=None) == local


def _parse_ean(text: str) -> str | None:
    match = _EAN.fullmatch(text.strip())
    return match[1] if match else None


def _parse_volume(text: str) -> Decimal:
    """kWh as a Decimal with exactly 3 decimals; ValueError for anything else."""
    match = _VOLUME.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    whole, fraction = match.groups()
    try:
        kwh = Decimal(f"{whole}.{fraction or '0'}")
    except InvalidOperation as error:
        raise ValueError(text) from error
    if kwh != kwh.quantize(_WH):
        raise ValueError(text)
    return kwh.quantize(_WH)


def _check_first_row(cells: list[str], columns: dict[str, int], meter: Meter) -> None:
    """Refuse the whole file when its first row is for another meter, another energy or day totals."""

    def cell(name: str) -> str:
        index = columns[name]
        return cells[index].strip() if index < len(cells) else ""

    unit = cell("unit")
    if unit and unit.casefold() != "kwh":
        raise ReadingImportRejected(
            "unit",
            [
                _(
                    "Dit bestand bevat waarden in %(unit)s. Alleen elektriciteit (kWh) kan worden ingelezen; "
                    "gas of andere energie niet."
                )
                % {"unit": _excerpt(unit)}
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
    ean = _parse_ean(raw_ean)
    if ean is None and _EAN_MANGLED.fullmatch(raw_ean):
        raise ReadingImportRejected(
            "ean_mangled",
            [
                _(
                    "De EAN-code in dit bestand is onleesbaar geworden (bv. %(ean)s), wellicht doordat het "
                    "bestand in Excel werd geopend en bewaard. Download het rapport opnieuw en laad het "
                    "ongewijzigd op."
                )
                % {"ean": _excerpt(raw_ean)}
            ],
        )
    if ean is not None and ean != meter.ean:
        raise ReadingImportRejected(
            "other_ean",
            [
                _(
                    "Dit bestand hoort bij EAN %(file_ean)s, niet bij deze meter (EAN %(meter_ean)s). "
                    "Kies de juiste meter of download het rapport van deze meter."
                )
                % {"file_ean": ean, "meter_ean": meter.ean}
            ],
        )


def _parse(*, meter: Meter, file) -> tuple[ImportSummary, list[QuarterHourValue]]:
    """Check the whole file; return the summary so far and the values to ingest, or refuse."""
    text = _read_text(file)
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, delimiter=";", quotechar='"', strict=True)
    summary = ImportSummary()
    values: list[QuarterHourValue] = []
    errors: list[str] = []
    error_rows = 0
    # (local start, direction) -> rows seen; decides the October repeated hour by row order.
    seen: dict[tuple[datetime, Direction], int] = {}
    slots: dict[tuple[datetime, int], tuple[datetime, datetime]] = {}
    columns: dict[str, int] | None = None
    widest = 0
    today = local_today()

    def row_error(line: int, message: str) -> None:
        nonlocal error_rows
        error_rows += 1
        if len(errors) < MAX_LISTED_ROW_ERRORS:
            errors.append(_("Rij %(row)s: %(problem)s") % {"row": line, "problem": message})

    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                if len(cells) == 1 and cells[0].strip().casefold().startswith("sep="):
                    continue  # Excel's separator hint
                columns, summary.header_variant = _header_columns(cells)
                widest = max(columns.values())
                continue
            if summary.rows_read == 0:
                _check_first_row(cells, columns, meter)
            summary.rows_read += 1
            if len(cells) <= widest:
                row_error(line, _("te weinig kolommen."))
                continue
            problem = _parse_row(cells, columns, meter, seen, slots, values, summary, today)
            if problem:
                row_error(line, problem)
    except csv.Error as error:
        raise _not_an_export(
            _("Regel %(row)s is geen geldige CSV-regel.") % {"row": reader.line_num}
        ) from error
    if columns is None:
        raise ReadingImportRejected("empty", [_("Het bestand is leeg.")])
    if summary.rows_read == 0:
        raise ReadingImportRejected("no_rows", [_("Het bestand bevat geen meetwaarden, alleen kolomtitels.")])
    if error_rows:
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
        raise ReadingImportRejected("rows", messages)
    return summary, values


def _parse_row(cells, columns, meter, seen, slots, values, summary, today: date) -> str | None:
    """Check one data row and add its value; returns what is wrong with it, if anything."""

    def cell(name: str) -> str:
        return cells[columns[name]].strip()

    ean = _parse_ean(cell("ean"))
    if ean is None:
        return _("geen geldige EAN-code (%(ean)s).") % {"ean": _excerpt(cell("ean"))}
    if ean != meter.ean:
        return _("andere EAN-code (%(ean)s) dan deze meter.") % {"ean": ean}
    unit = cell("unit")
    if unit.casefold() != "kwh":
        return _("eenheid %(unit)s in plaats van kWh.") % {"unit": _excerpt(unit)}
    register = _REGISTERS.get(" ".join(cell("register").split()).casefold())
    if register is None:
        return _("onbekend register (%(register)s).") % {"register": _excerpt(cell("register"))}
    status_text = " ".join(cell("status").split()).casefold()
    if status_text not in _STATUSES:
        return _("onbekende validatiestatus (%(status)s).") % {"status": _excerpt(cell("status"))}
    state = _STATUSES[status_text]
    try:
        local_start = _local_naive(cell("from_date"), cell("from_time"))
    except ValueError:
        return _("ongeldige begindatum of -tijd (%(date)s %(time)s).") % {
            "date": _excerpt(cell("from_date")),
            "time": _excerpt(cell("from_time")),
        }
    try:
        local_end = _local_naive(cell("to_date"), cell("to_time"))
    except ValueError:
        return _("ongeldige einddatum of -tijd (%(date)s %(time)s).") % {
            "date": _excerpt(cell("to_date")),
            "time": _excerpt(cell("to_time")),
        }
    if not data_day_allowed(local_start.date(), today=today):
        return _("%(date)s ligt buiten de periode die je kan inlezen (1 januari 2010 tot en met morgen).") % {
            "date": _excerpt(cell("from_date"))
        }
    if local_start.minute % 15 or local_start.second:
        return _("%(time)s is geen begin van een kwartier.") % {"time": _excerpt(cell("from_time"))}
    if not _exists(local_start):
        return _(
            "%(date)s %(time)s bestaat niet: de klok sprong die nacht van 02:00 naar 03:00 (zomertijd)."
        ) % {"date": _excerpt(cell("from_date")), "time": _excerpt(cell("from_time"))}
    direction = register[0]
    key = (local_start, direction)
    occurrence = seen.get(key, 0)
    seen[key] = occurrence + 1
    if occurrence and not (occurrence == 1 and _is_ambiguous(local_start)):
        return _("dubbele rij: %(date)s %(time)s (%(register)s) staat al eerder in het bestand.") % {
            "date": _excerpt(cell("from_date")),
            "time": _excerpt(cell("from_time")),
            "register": _excerpt(cell("register")),
        }
    slot = slots.get((local_start, occurrence))
    if slot is None:
        start = local_start.replace(tzinfo=BRUSSELS, fold=occurrence).astimezone(UTC)
        slot = slots[(local_start, occurrence)] = (start, start + QUARTER)
    # "Tot" is the local end: the wall clock after 15 minutes (02:00 again after the first
    # 02:45 in October) or, as some files write it, simply 15 minutes later on the clock.
    expected_end = slot[1].astimezone(BRUSSELS).replace(tzinfo=None)
    if local_end != expected_end and local_end - local_start != QUARTER:
        return _("%(start)s tot %(end)s is geen kwartier.") % {
            "start": _excerpt(f"{cell('from_date')} {cell('from_time')}"),
            "end": _excerpt(f"{cell('to_date')} {cell('to_time')}"),
        }
    day = local_start.date()
    if summary.first_day is None or day < summary.first_day:
        summary.first_day = day
    if summary.last_day is None or day > summary.last_day:
        summary.last_day = day
    volume = cell("volume")
    if state is _NO_VALUE or not volume:
        summary.values_missing += 1
        if state is _NO_VALUE:
            summary.missing_no_consumption += 1
        else:
            summary.missing_empty_volume += 1
        return None
    try:
        kwh = _parse_volume(volume)
    except ValueError:
        if volume.lstrip().startswith("-"):
            return _("negatief volume (%(volume)s).") % {"volume": _excerpt(volume)}
        return _("ongeldig volume (%(volume)s): verwacht kWh met hoogstens 3 decimalen.") % {
            "volume": _excerpt(volume)
        }
    values.append(
        QuarterHourValue(
            start=slot[0], end=slot[1], direction=direction, register=register[1], kwh=kwh, state=state
        )
    )
    return None
