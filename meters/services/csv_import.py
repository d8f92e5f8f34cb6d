"""Import a Mijn Fluvius "Verbruikshistoriek" CSV export (quarter-hour totals) into a meter.

The homeowner downloads the export in Mijn Fluvius and uploads it here; staff can do the same for
a homeowner from the admin. The file's format, and how its rows become ``DayReadings`` (headers,
registers, statuses, the October repeated hour, "Geen verbruik" as missing), is Fluvius
knowledge: ``ilusmart.fluvius.mijnfluvius_csv``. This module keeps the file checks, the audit and
the ingest:

1. **Upload** (``readings_csv_upload``, in the web request): more than
   ``settings.READINGS_IMPORT_MAX_BYTES`` is refused; so are an empty file, an Excel workbook, a
   binary file and anything that is not UTF-8 text. A file that passes is stored compressed
   (``ReadingImportFile``, gzip: a few MB for 30 MB of CSV) with a ``ReadingImport`` row in state
   ``queued``, and the Celery task ``meters.import_readings`` is queued after commit: the web
   worker is free at once, and the page follows the task's progress.
2. **Import** (``readings_csv_import_run``, in the task): the whole file is read and checked
   before anything is written (all or nothing), in one streaming pass (decompressed and decoded
   chunk by chunk); one broken row rejects the file with the first
   ``MAX_LISTED_ROW_ERRORS`` problems by row number. Then the values are merged by
   ``readings_ingest_days`` marked as imported: they only fill quarter-hours Fluvius has not
   delivered and never replace a value that came from Fluvius; between imports a value of
   better or equal quality replaces the stored one (EST < READ < VAL). Each stored day counts
   its imported values, so pages and exports say where a day's figures came from.

Every attempt is recorded in ``ReadingImport`` (who, which meter, the file's name, when, the
summary or the reason for refusal). The file itself is deleted as soon as it has been imported or
refused: a message that names a refused cell quotes at most ``CELL_EXCERPT_CHARS`` of it, and
each stored message is cut at ``MAX_MESSAGE_CHARS``. An upload the views refuse for its declared
size before reading it is recorded by ``readings_csv_import_too_large``.
``readings_csv_import`` does both steps in one go, in the calling process.
"""

from __future__ import annotations

import codecs
import gzip
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from ilusmart import clock, errors
from ilusmart.errors import ApplicationError
from ilusmart.fluvius.mijnfluvius_csv import (
    CELL_EXCERPT_CHARS,
    MAX_LISTED_ROW_ERRORS,
    MijnFluviusCsvRejected,
    read_mijn_fluvius_csv,
)
from meters.models import Meter, ReadingImport, ReadingImportFile
from meters.quarterhours import SOURCE_IMPORT
from meters.selectors.periods import data_day_allowed, local_today
from meters.services.faults import faults_detect
from meters.services.ingest import readings_ingest_days

__all__ = ["CELL_EXCERPT_CHARS", "MAX_LISTED_ROW_ERRORS"]

logger = logging.getLogger("ilusmart.imports")
MAX_MESSAGE_CHARS = 300
CHUNK_BYTES = 256 * 1024
PROGRESS_EVERY_ROWS = 20_000
IMPORT_TASK = "meters.import_readings"


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


def readings_csv_upload(*, meter: Meter, file, uploaded_by) -> ReadingImport:
    """Check an uploaded file and store it for the import task; its ``ReadingImport`` row (queued).

    Raises ``ReadingImportRejected`` (recorded like every refusal) for a file that is too big,
    empty, a workbook, binary or not UTF-8. The task ``meters.import_readings`` is queued once
    the transaction commits.
    """
    filename = (getattr(file, "name", "") or "")[:255]
    try:
        blob, size, head = _checked_and_compressed(file)
        _head_check(meter, head, whole=len(head) == size)
    except ReadingImportRejected as rejected:
        rejected.record = _record_refusal(meter, uploaded_by, filename, rejected)
        raise
    with transaction.atomic():
        record = ReadingImport.objects.create(
            meter=meter,
            uploaded_by=uploaded_by,
            customer_id=meter.owner_id,
            filename=filename,
            status=ReadingImport.Status.QUEUED,
            summary={},
        )
        ReadingImportFile.objects.create(reading_import=record, content=blob, size_bytes=size)
        transaction.on_commit(lambda: current_app.send_task(IMPORT_TASK, args=[record.pk]))
    return record


def readings_csv_import_run(*, import_id: int) -> ImportSummary | None:
    """Import the stored file of ``ReadingImport`` ``import_id`` (the task's work).

    Idempotent: an import that is not queued (done, refused, taken by another worker) is left
    alone and None is returned. Raises ``ReadingImportRejected`` when the file is refused; the
    row then says why. Either way the stored file is deleted.
    """
    with transaction.atomic():
        record = (
            ReadingImport.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("meter")
            .filter(pk=import_id, status=ReadingImport.Status.QUEUED)
            .first()
        )
        if record is None:
            return None
        record.status = ReadingImport.Status.RUNNING
        record.save(update_fields=["status"])
    meter = record.meter
    stored = ReadingImportFile.objects.filter(reading_import=record).first()
    try:
        if stored is None:
            raise ReadingImportRejected(
                "lost", [_("Het opgeladen bestand is niet meer beschikbaar. Laad het opnieuw op.")]
            )
        export = _read(meter, bytes(stored.content), stored.size_bytes, record)
    except ReadingImportRejected as rejected:
        with transaction.atomic():
            _finish(record, ReadingImport.Status.REJECTED, _refusal_summary(rejected))
        rejected.record = record
        raise
    summary = ImportSummary(
        rows_read=export.rows_read,
        values_missing=export.values_missing,
        missing_no_consumption=export.missing_no_consumption,
        missing_empty_volume=export.missing_empty_volume,
        first_day=export.first_day,
        last_day=export.last_day,
        header_variant=export.header_variant,
    )
    with transaction.atomic():
        result = readings_ingest_days(meter=meter, days=export.days, source=SOURCE_IMPORT)
        summary.values_imported = result.inserted
        summary.values_updated = result.updated
        summary.values_unchanged = result.unchanged
        summary.values_kept_better = result.skipped_lower_quality
        summary.values_kept_fluvius = result.skipped_fluvius
        summary.days_touched = result.days_touched
        _finish(record, ReadingImport.Status.IMPORTED, summary.as_json())
    summary.import_id = record.pk
    if summary.first_day and summary.last_day:  # fault detection over the file's days
        span = (summary.last_day - summary.first_day).days
        faults_detect(meter=meter, days=[summary.first_day + timedelta(days=n) for n in range(span + 1)])
    return summary


def readings_csv_import(*, meter: Meter, file, uploaded_by) -> ImportSummary:
    """Upload and import at once, in this process, for a caller that needs the result now (tests).

    The same checks, audit and result as the page's upload followed by its task; raises
    ``ReadingImportRejected`` when the file is refused.
    """
    record = readings_csv_upload(meter=meter, file=file, uploaded_by=uploaded_by)
    return readings_csv_import_run(import_id=record.pk)


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


def too_large_message() -> str:
    """The message for a file above ``settings.READINGS_IMPORT_MAX_BYTES`` (views use it too)."""
    return _(
        "Het bestand is groter dan %(mb)s MB. Download in Mijn Fluvius een kortere periode "
        "(bijvoorbeeld één jaar) en laad de bestanden na elkaar op."
    ) % {"mb": settings.READINGS_IMPORT_MAX_BYTES // (1024 * 1024)}


# --- The upload: checks, compressed storage ---------------------------------------------------


def _too_large() -> ReadingImportRejected:
    return ReadingImportRejected("too_large", [too_large_message()], kind=errors.TOO_LARGE)


def _refusal_summary(rejected: ReadingImportRejected) -> dict:
    return {
        "error": rejected.code,
        "messages": [_cut(m) for m in rejected.messages[: MAX_LISTED_ROW_ERRORS + 2]],
    }


def _record_refusal(meter, uploaded_by, filename, rejected) -> ReadingImport:
    return ReadingImport.objects.create(
        meter=meter,
        uploaded_by=uploaded_by,
        customer_id=meter.owner_id,
        filename=filename,
        status=ReadingImport.Status.REJECTED,
        summary=_refusal_summary(rejected),
        finished_at=clock.now(),
    )


def _cut(message: str) -> str:
    """A message as the audit row keeps it: at most ``MAX_MESSAGE_CHARS``."""
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"


def _checked_and_compressed(file) -> tuple[bytes, int, bytes]:
    """The file's bytes (without BOM) gzip-compressed, their size and the first 64 KiB; or a
    refusal for a file that is too big, empty, a workbook, binary or not UTF-8. Reads it a chunk
    at a time."""
    limit = settings.READINGS_IMPORT_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise _too_large()
    head = file.read(65536)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ReadingImportRejected(
            "excel",
            [
                _(
                    "Dit is een Excel-bestand, geen CSV-bestand. Download het rapport in Mijn Fluvius "
                    "opnieuw als CSV en laad dat bestand op zonder het eerst in Excel te openen."
                )
            ],
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise ReadingImportRejected(
            "binary",
            [_("Dit is geen tekstbestand. Laad het CSV-bestand op dat je uit Mijn Fluvius downloadde.")],
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    stored = io.BytesIO()
    total, blank = 0, True
    chunk = head
    with gzip.GzipFile(fileobj=stored, mode="wb", compresslevel=1) as compressor:
        try:
            while chunk:
                total += len(chunk)
                if total > limit:
                    raise _too_large()
                blank = blank and not chunk.strip()
                decoder.decode(chunk)
                compressor.write(chunk)
                chunk = file.read(CHUNK_BYTES)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise ReadingImportRejected(
                "encoding",
                [
                    _(
                        "Dit bestand is geen UTF-8-tekst zoals Mijn Fluvius het maakt (misschien opnieuw "
                        "bewaard in een ander programma). Download het rapport opnieuw en laad het ongewijzigd op."
                    )
                ],
            ) from error
    if blank:
        raise ReadingImportRejected("empty", [_("Het bestand is leeg.")])
    return stored.getvalue(), total, head


def _head_check(meter: Meter, head: bytes, *, whole: bool) -> None:
    """Read the file's first lines now, so that a file that is not an export for this meter (or,
    when the head is the whole file, any broken row) is refused at once, not by the task."""
    if not whole:
        head = head[: head.rfind(b"\n") + 1]  # whole lines only
    try:
        _read_lines(meter, io.StringIO(head.decode("utf-8"), newline=""))
    except ReadingImportRejected as rejected:
        # Row problems (or no rows) in a part of the file are the task's to count over all of it.
        if whole or rejected.code not in ("rows", "no_rows"):
            raise


# --- The import: a streaming read of the stored file ----------------------------------------------


def _lines(blob: bytes, on_progress: Callable[[int], None]) -> Iterator[str]:
    """The stored file's text lines, decompressed and decoded a chunk at a time."""
    stream = io.TextIOWrapper(
        gzip.GzipFile(fileobj=io.BytesIO(blob), mode="rb"), encoding="utf-8", newline=""
    )
    for count, line in enumerate(stream, start=1):
        if count % PROGRESS_EVERY_ROWS == 0:
            on_progress(count)
        yield line


def _read(meter: Meter, blob: bytes, size: int, record: ReadingImport):
    """Read the stored file into days for ``meter``, keeping the row's progress up to date."""
    rows_expected = max(1, size // 120)  # a row of an export is about 120 bytes

    def on_progress(rows: int) -> None:
        percent = min(99, rows * 100 // rows_expected)
        ReadingImport.objects.filter(pk=record.pk).update(progress=percent)

    return _read_lines(meter, _lines(blob, on_progress))


def _read_lines(meter: Meter, lines):
    """``read_mijn_fluvius_csv`` for ``meter``, its refusal as ``ReadingImportRejected``."""
    today = local_today()
    try:
        return read_mijn_fluvius_csv(
            lines, ean=meter.ean, day_allowed=lambda day: data_day_allowed(day, today=today)
        )
    except MijnFluviusCsvRejected as refused:
        raise ReadingImportRejected(refused.code, refused.messages) from refused


def _finish(record: ReadingImport, status: str, summary: dict) -> None:
    record.status = status
    record.summary = summary
    record.progress = 100
    record.finished_at = clock.now()
    record.save(update_fields=["status", "summary", "progress", "finished_at"])
    ReadingImportFile.objects.filter(reading_import=record).delete()
