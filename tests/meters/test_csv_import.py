"""CSV import of Mijn Fluvius exports (meters.services.csv_import, meters.views.imports, the admin).

The real exports in ../shared/fixtures/mijn-fluvius-csv/ carry the anonymised EAN
123456879123456789 (it fails the GS1 check digit); the tests give the meter that EAN directly.
"""

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from ilusmart import clock
from ilusmart.errors import http_status
from ilusmart.fluvius.types import Direction, QuarterHourValue, Register, ValidationState
from meters.models import DailyTotal, ReadingDay, ReadingImport, ReadingImportFile
from meters.selectors import readings_for_day
from meters.services.csv_import import ReadingImportRejected, readings_csv_import, readings_csv_import_run
from meters.services.ingest import readings_ingest
from tests.factories import MeterFactory, ProfileFactory, UserFactory
from tests.meters.conftest import row_versions

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "mijn-fluvius-csv"
DUTCH = FIXTURES / "Verbruikshistoriek_elektriciteit_123456789123456789_20211012_20240929_kwartiertotalen.csv"
ENGLISH = (
    FIXTURES / "Consumption_history_electricity_541448820052377134_20231022_20250426_15 minute totals.csv"
)
FIXTURE_EAN = "123456879123456789"
BRUSSELS = ZoneInfo("Europe/Brussels")

OLD_HEADER = "Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus"
NEW_HEADER = (
    "Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;Volume;Eenheid;"
    "Validatiestatus;Omschrijving"
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def csv_bytes(*rows: str, header: str = OLD_HEADER, bom: bool = True, newline: str = "\n") -> bytes:
    text = newline.join([header, *rows]) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def row(
    day: str, start: str, end: str, register: str, volume: str, status: str, *, ean=FIXTURE_EAN, unit="kWh"
):
    """One old-header row; ``day`` as dd-MM-yyyy, times HH:mm (end on the same day unless 24:00)."""
    end_day = day
    if end == "24:00":
        d = datetime.strptime(day, "%d-%m-%Y") + timedelta(days=1)
        end_day, end = d.strftime("%d-%m-%Y"), "00:00"
    return f'{day};{start}:00;{end_day};{end}:00;="{ean}";1SAG12345678;Digitale Meter;{register};{volume};{unit};{status}'


def upload(content: bytes, name: str = "Verbruikshistoriek.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def state(meter) -> tuple:
    """Everything an import may change: row counts and the row versions (xmin, ctid) of the meter's days."""
    return ReadingDay.objects.count(), DailyTotal.objects.count(), row_versions(meter)


@pytest.fixture
def homeowner(client):
    profile = ProfileFactory()
    client.force_login(profile.user)
    return profile.user


@pytest.fixture
def meter(settings, homeowner):
    settings.FLUVIUS_ALLOW_TEST_EANS = True
    return MeterFactory(owner=homeowner, ean=FIXTURE_EAN)


def worker_runs(response) -> str:
    """Do what the Celery worker does for the upload that redirected to ``response["Location"]``
    (its task ``meters.import_readings``: tests/meters/test_tasks.py runs it on a real worker);
    the page's URL."""
    location = response["Location"]
    readings_csv_import_run(import_id=int(location.rsplit("import=", 1)[1]))
    return location


def wh_at(meter, instant: datetime, direction: str = "offtake"):
    """Stored Wh of the quarter-hour starting at the UTC ``instant`` (None if missing)."""
    local_day = instant.astimezone(BRUSSELS).date()
    for slot in readings_for_day(meter=meter, day=local_day):
        if slot.start_utc == instant:
            kwh = getattr(slot, f"{direction}_kwh")
            return None if kwh is None else int(kwh * 1000)
    raise AssertionError(f"no slot starts at {instant}")


# --- The real files ----------------------------------------------------------------------------


def test_the_english_export_imports_with_the_october_repeated_hour(meter, homeowner):
    summary = readings_csv_import(
        meter=meter, file=upload(ENGLISH.read_bytes(), ENGLISH.name), uploaded_by=homeowner
    )

    # 71 days × 96 quarter-hours + 4 for the repeated hour, two rows (offtake, injection) each.
    assert summary.header_variant == "en"
    assert summary.rows_read == 13640
    assert summary.values_missing == summary.missing_no_consumption == 2  # the first quarter-hour
    assert summary.values_imported == 13638
    assert summary.values_updated == summary.values_unchanged == summary.values_kept_better == 0
    assert (summary.first_day, summary.last_day) == (date(2023, 10, 22), date(2023, 12, 31))
    assert ReadingDay.objects.filter(meter=meter).count() == 71

    dst = ReadingDay.objects.get(meter=meter, day=date(2023, 10, 29))
    assert len(dst.offtake_wh) == len(dst.injection_wh) == 100
    assert None not in dst.offtake_wh
    # Rows 1362/1364: 02:00 local twice. First = 02:00+02:00 = 00:00Z, second = 02:00+01:00 = 01:00Z.
    assert wh_at(meter, utc("2023-10-28T23:45")) == 284  # 01:45 (CEST)
    assert wh_at(meter, utc("2023-10-29T00:00")) == 276
    assert wh_at(meter, utc("2023-10-29T01:00")) == 261
    assert wh_at(meter, utc("2023-10-29T00:15")) == 286
    assert wh_at(meter, utc("2023-10-29T01:15")) == 268
    assert wh_at(meter, utc("2023-10-29T00:45")) == 295  # "02:45 tot 02:00": the first one
    assert wh_at(meter, utc("2023-10-29T01:45")) == 286
    assert wh_at(meter, utc("2023-10-29T02:00")) == 283  # 03:00 (CET)
    # The very first quarter-hour was "No consumption": missing, not 0.
    assert wh_at(meter, utc("2023-10-21T22:00")) is None
    assert wh_at(meter, utc("2023-10-21T22:15")) == 173

    record = ReadingImport.objects.get()
    assert (record.meter, record.uploaded_by, record.status) == (
        meter,
        homeowner,
        ReadingImport.Status.IMPORTED,
    )
    assert record.filename == ENGLISH.name
    assert record.summary["values_imported"] == 13638


def test_the_old_dutch_export_imports_and_geen_verbruik_is_missing(meter, homeowner):
    summary = readings_csv_import(
        meter=meter, file=upload(DUTCH.read_bytes(), DUTCH.name), uploaded_by=homeowner
    )

    assert summary.header_variant == "nl-old"
    assert summary.rows_read == 20 * 192 + 8
    assert summary.values_missing == summary.missing_no_consumption == 2566
    assert summary.values_imported == 1282
    assert (summary.first_day, summary.last_day) == (date(2021, 10, 12), date(2021, 10, 31))
    # 31-10-2021 has only "Geen verbruik" rows: no stored day (missing is never 0).
    assert not ReadingDay.objects.filter(meter=meter, day=date(2021, 10, 31)).exists()
    # 12-10-2021 07:30 (CEST) = 05:30Z: 0,067 Gevalideerd; 07:15 was "Geen verbruik".
    slot = next(
        s
        for s in readings_for_day(meter=meter, day=date(2021, 10, 12))
        if s.start_utc == utc("2021-10-12T05:30")
    )
    assert (slot.offtake_kwh, slot.offtake_state, slot.register) == (
        Decimal("0.067"),
        ValidationState.VAL,
        Register.DAY,
    )
    assert slot.injection_kwh == Decimal("0.000")
    assert wh_at(meter, utc("2021-10-12T05:15")) is None
    total = DailyTotal.objects.get(meter=meter, day=date(2021, 10, 12))
    assert total.offtake_slots_present < 96


def test_old_dutch_header_on_the_october_day_resolves_the_hour_by_row_order(meter, homeowner):
    """The fixture's 31-10-2021 rows (interleaved repeated hour, '02:45 tot 02:00'), given values."""
    lines = DUTCH.read_text(encoding="utf-8-sig").splitlines()
    day_rows = [line for line in lines if line.startswith("31-10-2021;")]
    assert len(day_rows) == 200
    filled = []
    for index, line in enumerate(day_rows):
        cells = line.split(";")
        cells[8], cells[10] = f"0,{index:03d}", "Gevalideerd"
        filled.append(";".join(cells))
    readings_csv_import(meter=meter, file=upload(csv_bytes(*filled)), uploaded_by=homeowner)

    day = ReadingDay.objects.get(meter=meter, day=date(2021, 10, 31))
    assert len(day.offtake_wh) == 100
    # Row i is offtake when even; the Wh value is the row's index. Local midnight = 30-10 22:00Z.
    assert wh_at(meter, utc("2021-10-30T23:45")) == 2 * 7  # 01:45 CEST
    assert wh_at(meter, utc("2021-10-31T00:00")) == 2 * 8  # first 02:00
    assert wh_at(meter, utc("2021-10-31T01:00")) == 2 * 9  # second 02:00
    assert wh_at(meter, utc("2021-10-31T00:45")) == 2 * 14  # first 02:45
    assert wh_at(meter, utc("2021-10-31T01:45")) == 2 * 15  # second 02:45
    assert wh_at(meter, utc("2021-10-31T02:00")) == 2 * 16  # 03:00 CET
    assert wh_at(meter, utc("2021-10-31T00:00"), "injection") == 2 * 8 + 1


def test_a_repeated_hour_written_as_two_blocks_resolves_the_same(meter, homeowner):
    quarters = ["02:00", "02:15", "02:30", "02:45"]
    ends = ["02:15", "02:30", "02:45", "03:00"]
    rows = [
        row("27-10-2024", start, end, "Afname Nacht", f"0,{10 * block + i:03d}", "Uitgelezen")
        for block in (1, 2)
        for i, (start, end) in enumerate(zip(quarters, ends, strict=True))
    ]
    summary = readings_csv_import(meter=meter, file=upload(csv_bytes(*rows)), uploaded_by=homeowner)

    assert summary.values_imported == 8
    assert ReadingDay.objects.get(meter=meter, day=date(2024, 10, 27)).offtake_wh.__len__() == 100
    # 2024-10-27: 02:00 CEST = 00:00Z, 02:00 CET = 01:00Z.
    assert [wh_at(meter, utc(f"2024-10-27T00:{m:02d}")) for m in (0, 15, 30, 45)] == [10, 11, 12, 13]
    assert [wh_at(meter, utc(f"2024-10-27T01:{m:02d}")) for m in (0, 15, 30, 45)] == [20, 21, 22, 23]


def test_reimporting_changes_nothing(meter, homeowner):
    readings_csv_import(meter=meter, file=upload(ENGLISH.read_bytes()), uploaded_by=homeowner)
    before = state(meter)

    summary = readings_csv_import(meter=meter, file=upload(ENGLISH.read_bytes()), uploaded_by=homeowner)

    assert state(meter) == before
    assert summary.values_imported == summary.values_updated == summary.values_kept_better == 0
    assert summary.values_unchanged == summary.values_kept == 13638
    assert ReadingImport.objects.filter(status=ReadingImport.Status.IMPORTED).count() == 2


def test_the_import_fills_gaps_but_never_replaces_a_fluvius_value(meter, homeowner):
    # From Fluvius: 12-10-2021 07:30 (05:30Z) offtake validated 0,500; 07:45 (05:45Z) estimated 0,900.
    start = utc("2021-10-12T05:30")
    readings_ingest(
        meter=meter,
        values=[
            QuarterHourValue(
                start,
                start + timedelta(minutes=15),
                Direction.OFFTAKE,
                Register.DAY,
                Decimal("0.500"),
                ValidationState.VAL,
            ),
            QuarterHourValue(
                start + timedelta(minutes=15),
                start + timedelta(minutes=30),
                Direction.OFFTAKE,
                Register.DAY,
                Decimal("0.900"),
                ValidationState.EST,
            ),
        ],
    )
    rows = [
        row("12-10-2021", "07:30", "07:45", "Afname Dag", "0,067", "Geschat"),  # Fluvius has it: kept
        row("12-10-2021", "07:45", "08:00", "Afname Dag", "0,080", "Gevalideerd"),  # even over a Fluvius EST
        row("12-10-2021", "08:00", "08:15", "Afname Dag", "0,079", "Geschat"),  # gap: filled
        row("12-10-2021", "08:15", "08:30", "Afname Dag", "", "Geen verbruik"),  # missing: nothing
    ]
    summary = readings_csv_import(meter=meter, file=upload(csv_bytes(*rows)), uploaded_by=homeowner)

    assert (summary.values_imported, summary.values_updated, summary.values_kept_better) == (1, 0, 0)
    assert summary.values_kept_fluvius == 2
    assert summary.values_missing == 1
    assert summary.rows_read == summary.values_imported + summary.values_kept + summary.values_missing
    assert wh_at(meter, start) == 500
    assert wh_at(meter, start + timedelta(minutes=15)) == 900
    assert wh_at(meter, start + timedelta(minutes=30)) == 79
    assert wh_at(meter, start + timedelta(minutes=45)) is None
    slots = {s.start_utc: s for s in readings_for_day(meter=meter, day=date(2021, 10, 12))}
    assert [slots[start + timedelta(minutes=15 * i)].source for i in range(3)] == [
        "fluvius",
        "fluvius",
        "import",
    ]
    assert DailyTotal.objects.get(meter=meter, day=date(2021, 10, 12)).imported_values == 1


def test_a_later_import_improves_an_earlier_import_by_quality(meter, homeowner):
    first = [row("12-10-2021", "08:00", "08:15", "Afname Dag", "0,079", "Geschat")]
    better = [row("12-10-2021", "08:00", "08:15", "Afname Dag", "0,081", "Gevalideerd")]
    worse = [row("12-10-2021", "08:00", "08:15", "Afname Dag", "0,090", "Geschat")]
    readings_csv_import(meter=meter, file=upload(csv_bytes(*first)), uploaded_by=homeowner)

    improved = readings_csv_import(meter=meter, file=upload(csv_bytes(*better)), uploaded_by=homeowner)
    kept = readings_csv_import(meter=meter, file=upload(csv_bytes(*worse)), uploaded_by=homeowner)

    assert (improved.values_updated, kept.values_kept_better, kept.values_kept_fluvius) == (1, 1, 0)
    assert wh_at(meter, utc("2021-10-12T06:00")) == 81


def test_the_summary_says_fluvius_values_were_kept(client, meter, homeowner):
    start = utc("2021-10-12T05:30")
    readings_ingest(
        meter=meter,
        values=[
            QuarterHourValue(
                start,
                start + timedelta(minutes=15),
                Direction.OFFTAKE,
                Register.DAY,
                Decimal("0.500"),
                ValidationState.VAL,
            )
        ],
    )
    rows = [row("12-10-2021", "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd")]
    response = client.post(reverse("meters:import", args=[meter.pk]), {"file": upload(csv_bytes(*rows))})
    page = client.get(worker_runs(response)).text
    assert "1 waarde overgeslagen omdat Fluvius die al leverde" in page


# --- Header variants ---------------------------------------------------------------------------


def test_the_new_dutch_header_with_slashes_and_crlf(meter, homeowner):
    rows = [
        '12/10/2021;07:30:00;12/10/2021;07:45:00;="123456879123456789";1SAG1;Digitale Meter;Afname Dag;1,5;kWh;Gevalideerd;',
        '12/10/2021;23:45:00;13/10/2021;00:00:00;="123456879123456789";1SAG1;Digitale Meter;Injectie Nacht;0,25;kWh;Uitgelezen;',
    ]
    summary = readings_csv_import(
        meter=meter, file=upload(csv_bytes(*rows, header=NEW_HEADER, newline="\r\n")), uploaded_by=homeowner
    )
    assert summary.header_variant == "nl-new"
    assert summary.values_imported == 2
    assert wh_at(meter, utc("2021-10-12T05:30")) == 1500
    assert wh_at(meter, utc("2021-10-12T21:45"), "injection") == 250


# --- Wrong files: a clear message, status 4xx, nothing changed -------------------------------


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


GOOD = row("12-10-2021", "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd")

WRONG_FILES = {
    "empty": (b"", "Het bestand is leeg"),
    "only a BOM": (b"\xef\xbb\xbf\r\n", "Het bestand is leeg"),
    "header only": (csv_bytes(), "geen meetwaarden"),
    "binary": (bytes(range(256)) * 40, "geen tekstbestand"),
    "excel": (_xlsx(), "Excel-bestand"),
    "latin-1": (csv_bytes(GOOD).replace(b"Gevalideerd", b"Gevalid\xe9erd"), "geen UTF-8"),
    "another csv": (b"name,email\nAn,an@example.be\n", "geen verbruiksexport van Mijn Fluvius"),
    "another EAN": (
        csv_bytes(
            row(
                "12-10-2021", "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd", ean="541448820050357909"
            )
        ),
        "hoort bij EAN 541448820050357909",
    ),
    "gas": (csv_bytes(row("12-10-2021", "07:30", "07:45", "Afname", "1,2", "Gevalideerd", unit="m³")), "m³"),
    "day totals": (
        csv_bytes(row("12-10-2021", "00:00", "24:00", "Afname Dag", "4,2", "Gevalideerd")),
        "dagtotalen",
    ),
    "day totals without times": (
        b"Van datum;Tot datum;EAN;Register;Volume;Eenheid;Validatiestatus\n"
        b'12-10-2021;13-10-2021;="123456879123456789";Afname Dag;4,2;kWh;Gevalideerd\n',
        "dagtotalen",
    ),
    "Excel-mangled EAN": (csv_bytes(GOOD.replace('="123456879123456789"', "1,23457E+17")), "onleesbaar"),
}


@pytest.mark.parametrize("case", list(WRONG_FILES))
def test_a_wrong_file_gets_a_clear_message_and_changes_nothing(client, meter, homeowner, case):
    readings_csv_import(meter=meter, file=upload(ENGLISH.read_bytes()), uploaded_by=homeowner)
    before = state(meter)
    content, expected = WRONG_FILES[case]

    response = client.post(
        reverse("meters:import", args=[meter.pk]), {"file": upload(content, "bestand.csv")}
    )

    assert response.status_code == 400
    assert expected in response.text
    assert "Er werd niets gewijzigd" in response.text
    assert state(meter) == before
    assert ReadingImport.objects.latest("uploaded_at").status == ReadingImport.Status.REJECTED


def test_broken_rows_reject_the_whole_file_with_row_numbers(client, meter, homeowner):
    rows = [GOOD]
    rows += [row("12-10-2021", "08:00", "08:15", "Afname Dag", "abc", "Gevalideerd")]  # row 3
    rows += [row("12-10-2021", "08:15", "08:30", "Afname Piek", "0,1", "Gevalideerd")]  # row 4
    rows += [row("31-03-2024", "02:15", "02:30", "Afname Nacht", "0,1", "Gevalideerd")]  # row 5: March gap
    rows += [row("12-10-2021", "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd")]  # row 6: duplicate
    rows += [row("12-10-2021", "08:30", "08:45", "Afname Dag", "0,1234", "Gevalideerd")]  # row 7
    rows += [row("12-10-2021", "08:45", "09:00", "Afname Dag", "0,1", "Misschien")]  # row 8
    rows += [row("12-10-2021", "09:07", "09:22", "Afname Dag", "0,1", "Gevalideerd")]  # row 9
    rows += [row("12-10-2021", "09:15", "09:30", "Afname Dag", "-0,1", "Gevalideerd")]  # row 10
    rows += ["12-10-2021;09:30:00;12-10-2021"]  # row 11
    rows += [row("32-10-2021", "09:45", "10:00", "Afname Dag", "0,1", "Gevalideerd")]  # row 12
    rows += [
        row("12-10-2021", "10:00", "10:15", "Afname Dag", "0,1", "Gevalideerd", ean="541448820050357909")
    ]  # 13
    rows += [
        row(f"{d:02d}-11-2021", "10:00", "10:15", "Afname Dag", "x", "Gevalideerd") for d in range(1, 21)
    ]
    before = state(meter)

    response = client.post(reverse("meters:import", args=[meter.pk]), {"file": upload(csv_bytes(*rows))})

    assert response.status_code == 400
    text = response.text
    assert "31 rijen van het bestand zijn niet in orde" in text
    for number in range(3, 14):
        assert f"Rij {number}:" in text
    assert "Rij 22:" in text and "Rij 23:" not in text  # at most 20 listed
    assert "en nog 11 rijen met een fout" in text
    assert "bestaat niet" in text  # the March gap
    assert "dubbele rij" in text
    assert "hoogstens 3 decimalen" in text
    assert "onbekend register" in text
    assert state(meter) == before
    assert not ReadingDay.objects.filter(meter=meter).exists()


def test_dates_outside_2010_to_tomorrow_are_refused_with_a_message(meter, homeowner):
    today = clock.local_today()
    tomorrow, later = today + timedelta(days=1), today + timedelta(days=2)
    rows = [
        row("12-10-2021", "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd"),  # row 2: fine
        row("31-12-2009", "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd"),  # row 3
        row("01-01-0001", "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd"),  # row 4
        row(later.strftime("%d-%m-%Y"), "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd"),  # row 5
        row("31-12-9999", "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd"),  # row 6
        row("01-01-2010", "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd"),  # row 7: the first day
        row(tomorrow.strftime("%d-%m-%Y"), "07:30", "07:45", "Afname Dag", "0,067", "Gevalideerd"),  # row 8
    ]

    with pytest.raises(ReadingImportRejected) as refused:
        readings_csv_import(meter=meter, file=upload(csv_bytes(*rows)), uploaded_by=homeowner)

    messages = refused.value.messages
    assert messages[0] == "4 rijen van het bestand zijn niet in orde; er werd niets ingelezen."
    listed = {m.split(":", 1)[0]: m for m in messages[1:]}
    assert set(listed) == {"Rij 3", "Rij 4", "Rij 5", "Rij 6"}
    assert (
        "31-12-2009 ligt buiten de periode die je kan inlezen (1 januari 2010 tot en met morgen)"
        in listed["Rij 3"]
    )
    assert "31-12-9999" in listed["Rij 6"]
    assert not ReadingDay.objects.exists()


def _refused_audit(meter, homeowner, content: bytes) -> tuple[list[str], str]:
    with pytest.raises(ReadingImportRejected) as refused:
        readings_csv_import(meter=meter, file=upload(content), uploaded_by=homeowner)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT summary::text FROM meters_readingimport WHERE id = %s", [refused.value.record.pk]
        )
        (stored,) = cursor.fetchone()
    return refused.value.messages, stored


LONG = "Q" * 20_000


@pytest.mark.parametrize(
    "content",
    [
        csv_bytes(row("12-10-2021", "07:30", "07:45", "Afname Dag", "1,0", "Gevalideerd", unit="kWh" + LONG)),
        csv_bytes(GOOD.replace('="123456879123456789"', "1," + "2" * 20_000 + "E+17")),
        csv_bytes(GOOD, row("12-10-2021", "07:45", "08:00", "Afname Dag", "1,0", "Gevalideerd", unit=LONG)),
        csv_bytes(GOOD, GOOD.replace("Afname Dag", "Afname" + " " * 20_000 + "Dag")),
        csv_bytes(GOOD, GOOD.replace("Afname Dag", "Afname Dag" + LONG)),
        csv_bytes(GOOD, GOOD.replace("07:30:00", "07:30:00" + LONG)),
        csv_bytes(GOOD, GOOD.replace("0,067", "0,067" + LONG)),
        csv_bytes(GOOD, GOOD.replace("Gevalideerd", LONG)),
        csv_bytes(GOOD, GOOD.replace('="123456879123456789"', LONG)),
    ],
    ids=[
        "unit",
        "mangled EAN",
        "unit of a row",
        "register",
        "unknown register",
        "time",
        "volume",
        "status",
        "EAN",
    ],
)
def test_the_audit_row_keeps_only_a_short_excerpt_of_a_refused_cell(meter, homeowner, content):
    messages, stored = _refused_audit(meter, homeowner, content)

    assert len(stored) < 1_500, stored[:300]
    assert "Q" * 41 not in stored and "2" * 41 not in stored and " " * 41 not in stored
    assert all(len(message) < 400 for message in messages)


def test_a_third_row_for_an_october_time_is_a_duplicate(meter, homeowner):
    rows = [row("27-10-2024", "02:00", "02:15", "Afname Nacht", "0,1", "Uitgelezen")] * 3
    with pytest.raises(ReadingImportRejected) as raised:
        readings_csv_import(meter=meter, file=upload(csv_bytes(*rows)), uploaded_by=homeowner)
    assert raised.value.code == "rows"
    assert "Rij 4: dubbele rij" in raised.value.messages[1]
    assert not ReadingDay.objects.exists()


def test_a_file_above_the_limit_is_refused_before_parsing(settings, meter, homeowner):
    settings.READINGS_IMPORT_MAX_BYTES = 1024
    content = csv_bytes(*[GOOD] * 20)
    with pytest.raises(ReadingImportRejected) as raised:
        readings_csv_import(meter=meter, file=upload(content), uploaded_by=homeowner)
    assert raised.value.code == "too_large"
    assert http_status(raised.value) == 413


def _refused_unread(record: ReadingImport) -> tuple:
    summary = dict(record.summary)
    declared = summary.pop("declared_bytes")
    return record.status, record.filename, summary, declared


def test_a_50_mb_upload_gets_a_clear_413_stores_nothing_and_is_listed(
    client, meter, homeowner, tmp_path, settings
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    before = state(meter)
    garbage = SimpleUploadedFile(
        "groot.csv", (b"\x00garbage;" * 6_000_000)[: 50 * 1024 * 1024], content_type="text/csv"
    )

    response = client.post(reverse("meters:import", args=[meter.pk]), {"file": garbage})

    assert response.status_code == 413
    assert "groter dan 30 MB" in response.text
    assert state(meter) == before
    assert not list(tmp_path.iterdir())  # not even a temporary upload file
    # The refusal is in the audit like every other upload (README: "every upload, taken or
    # refused"); its body was never read, so there is no file name, only the declared size.
    record = ReadingImport.objects.get()
    assert (record.meter, record.uploaded_by) == (meter, homeowner)
    status, filename, summary, declared = _refused_unread(record)
    assert (status, filename) == (ReadingImport.Status.REJECTED, "")
    assert summary == {
        "error": "too_large",
        "messages": [
            "Het bestand is groter dan 30 MB. Download in Mijn Fluvius een kortere periode "
            "(bijvoorbeeld één jaar) en laad de bestanden na elkaar op."
        ],
    }
    assert declared > 50 * 1024 * 1024


def test_an_anonymous_50_mb_upload_goes_to_login_and_leaves_no_row(meter):
    from django.test import Client

    garbage = SimpleUploadedFile("groot.csv", b"x" * (50 * 1024 * 1024), content_type="text/csv")
    response = Client().post(reverse("meters:import", args=[meter.pk]), {"file": garbage})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ReadingImport.objects.exists()


def test_an_upload_just_under_the_limit_stays_in_memory(client, meter, homeowner, tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # Django would spool this to disk
    content = ENGLISH.read_bytes()

    response = client.post(reverse("meters:import", args=[meter.pk]), {"file": upload(content)})

    assert response.status_code == 302
    assert not list(tmp_path.iterdir())
    worker_runs(response)
    assert ReadingDay.objects.filter(meter=meter).count() == 71


# --- Pages and permissions ---------------------------------------------------------------------


def test_the_homeowner_uploads_and_sees_the_summary(client, meter, homeowner):
    page = client.get(reverse("meters:import", args=[meter.pk]))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'accept=".csv' in page.text

    response = client.post(
        reverse("meters:import", args=[meter.pk]), {"file": upload(DUTCH.read_bytes(), DUTCH.name)}
    )
    assert response.status_code == 302
    waiting = client.get(response["Location"])  # the task has not run yet
    assert "Je bestand wordt ingelezen" in waiting.text and "import_progress.js" in waiting.text
    summary_page = client.get(worker_runs(response))
    assert "import_progress.js" not in summary_page.text
    assert "1282 nieuwe waarden ingelezen" in summary_page.text
    assert "2566 rijen overgeslagen omdat Fluvius er geen waarde voor heeft" in summary_page.text

    again = client.get(
        worker_runs(
            client.post(reverse("meters:import", args=[meter.pk]), {"file": upload(DUTCH.read_bytes())})
        )
    )
    assert "0 nieuwe waarden ingelezen" in again.text
    assert "1282 waarden overgeslagen omdat we precies die waarden al hadden" in again.text


def test_the_summary_page_is_in_english_too(client, meter, homeowner):
    readings_csv_import(meter=meter, file=upload(DUTCH.read_bytes()), uploaded_by=homeowner)
    record = ReadingImport.objects.get()
    page = client.get(
        reverse("meters:import", args=[meter.pk]) + f"?import={record.pk}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "1282 new values imported" in page.text


def test_the_csrf_check_still_applies(meter, homeowner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(homeowner)
    response = strict.post(reverse("meters:import", args=[meter.pk]), {"file": upload(DUTCH.read_bytes())})
    assert response.status_code == 403
    assert not ReadingDay.objects.exists()


def test_another_homeowners_meter_is_404(client, homeowner):
    other = MeterFactory(ean=FIXTURE_EAN)
    assert client.get(reverse("meters:import", args=[other.pk])).status_code == 404
    response = client.post(reverse("meters:import", args=[other.pk]), {"file": upload(DUTCH.read_bytes())})
    assert response.status_code == 404
    assert not ReadingDay.objects.exists()
    assert not ReadingImport.objects.exists()


def test_an_anonymous_visitor_is_sent_to_login(meter):
    from django.test import Client

    response = Client().post(reverse("meters:import", args=[meter.pk]), {"file": upload(DUTCH.read_bytes())})
    assert response.status_code == 302
    assert "/login" in response["Location"] or "aanmelden" in response["Location"]
    assert not ReadingDay.objects.exists()


@pytest.fixture
def support_client(client, staff_user, admin_login):
    from django.test import Client

    staff = staff_user("support")
    support = admin_login(Client(), staff)
    support.user = staff
    return support


def test_support_imports_for_a_homeowner_from_the_admin(support_client, settings):
    settings.FLUVIUS_ALLOW_TEST_EANS = True
    meter = MeterFactory(ean=FIXTURE_EAN)
    url = reverse("admin:meters_meter_import_csv", args=[meter.pk])
    assert "CSV inlezen" in support_client.get(reverse("admin:meters_meter_change", args=[meter.pk])).text
    assert support_client.get(url).status_code == 200

    response = support_client.post(url, {"file": upload(ENGLISH.read_bytes(), ENGLISH.name)})

    assert response.status_code == 302
    assert "13638 nieuwe waarden ingelezen" in support_client.get(worker_runs(response)).text
    record = ReadingImport.objects.get()
    assert (record.meter, record.uploaded_by) == (meter, support_client.user)
    refused = support_client.post(url, {"file": upload(b"\x00\x01")})
    assert refused.status_code == 400
    assert "geen tekstbestand" in refused.text


def test_the_admin_import_refuses_a_50_mb_upload(support_client):
    meter = MeterFactory(ean=FIXTURE_EAN)
    garbage = SimpleUploadedFile("groot.csv", b"x" * (50 * 1024 * 1024), content_type="text/csv")
    response = support_client.post(
        reverse("admin:meters_meter_import_csv", args=[meter.pk]), {"file": garbage}
    )
    assert response.status_code == 413
    assert "groter dan 30 MB" in response.text
    assert not ReadingDay.objects.exists()
    record = ReadingImport.objects.get()
    assert (record.meter, record.uploaded_by) == (meter, support_client.user)
    status, filename, summary, declared = _refused_unread(record)
    assert (status, filename, summary["error"], declared > 50 * 1024 * 1024) == (
        ReadingImport.Status.REJECTED,
        "",
        "too_large",
        True,
    )
    # Listed for staff under "CSV-imports" with the refusal.
    changelist = support_client.get(reverse("admin:meters_readingimport_changelist")).text
    assert meter.ean in changelist and "geweigerd" in changelist


def test_the_staff_import_needs_the_permission(client, homeowner, meter, admin_login):
    url = reverse("admin:meters_meter_import_csv", args=[meter.pk])
    # A homeowner is not staff: the admin sends them to its login page.
    response = client.post(url, {"file": upload(DUTCH.read_bytes())})
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    # Staff without the permission (but allowed to see meters) get 403.
    from django.test import Client

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_meter"))
    other = admin_login(Client(), staff)
    assert other.get(url).status_code == 403
    assert other.post(url, {"file": upload(DUTCH.read_bytes())}).status_code == 403
    assert not ReadingDay.objects.exists()


def test_support_has_the_import_permissions():
    codenames = set(Group.objects.get(name="support").permissions.values_list("codename", flat=True))
    assert {"import_readings", "view_readingimport"} <= codenames


def test_the_audit_row_holds_no_file_contents(meter, homeowner):
    readings_csv_import(meter=meter, file=upload(DUTCH.read_bytes(), DUTCH.name), uploaded_by=homeowner)
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary::text FROM meters_readingimport")
        (summary,) = cursor.fetchone()
    assert "Afname" not in summary and "0,067" not in summary


def test_the_upload_is_stored_compressed_until_the_task_has_read_it(meter, homeowner, client):
    content = ENGLISH.read_bytes()
    response = client.post(reverse("meters:import", args=[meter.pk]), {"file": upload(content)})
    record = ReadingImport.objects.get()
    assert (record.status, record.progress) == (ReadingImport.Status.QUEUED, 0)
    stored = ReadingImportFile.objects.get(reading_import=record)
    assert stored.size_bytes == len(content) - 3  # without the BOM
    assert len(bytes(stored.content)) < len(content) / 5  # gzip
    assert not ReadingDay.objects.exists()  # nothing imported in the web request

    worker_runs(response)
    record.refresh_from_db()
    assert (record.status, record.progress) == (ReadingImport.Status.IMPORTED, 100)
    assert record.finished_at is not None
    assert not ReadingImportFile.objects.exists()  # the file goes once read
    assert readings_csv_import_run(import_id=record.pk) is None  # a second delivery does nothing


def test_a_big_file_with_a_broken_row_late_is_refused_by_the_task_with_every_row_counted(
    client, meter, homeowner
):
    start = date(2021, 10, 12)
    rows = []
    for day in range(30):  # ~290 KB: more than the first part read in the web request
        local = start + timedelta(days=day)
        for quarter in range(96):
            hh, mm = divmod(quarter * 15, 60)
            end = (datetime(2000, 1, 1, hh, mm) + timedelta(minutes=15)).strftime("%H:%M")
            rows.append(
                row(
                    local.strftime("%d-%m-%Y"),
                    f"{hh:02d}:{mm:02d}",
                    end if end != "00:00" else "24:00",
                    "Afname Dag",
                    "0,100",
                    "Gevalideerd",
                )
            )
    rows[-1] = rows[-1].replace("0,100", "0,1234")
    response = client.post(reverse("meters:import", args=[meter.pk]), {"file": upload(csv_bytes(*rows))})
    assert response.status_code == 302  # the head of the file is fine

    with pytest.raises(ReadingImportRejected):
        worker_runs(response)
    page = client.get(response["Location"]).text
    assert "1 rij van het bestand is niet in orde" in page
    assert f"Rij {len(rows) + 1}:" in page and "hoogstens 3 decimalen" in page
    assert not ReadingDay.objects.exists()
    assert not ReadingImportFile.objects.exists()
    assert ReadingImport.objects.get().status == ReadingImport.Status.REJECTED


def test_the_page_script_reads_the_progress_as_json_for_the_owners_import_only(client, meter, homeowner):
    response = client.post(reverse("meters:import", args=[meter.pk]), {"file": upload(DUTCH.read_bytes())})
    url = response["Location"] + "&status=json"
    assert client.get(url).json() == {"status": "queued", "progress": 0}
    worker_runs(response)
    assert client.get(url).json() == {"status": "imported", "progress": 100}
    record = ReadingImport.objects.get()

    other = MeterFactory(owner=homeowner, ean="541448820050357909")
    assert (
        client.get(reverse("meters:import", args=[other.pk]) + f"?import={record.pk}&status=json").status_code
        == 404
    )
    stranger = ProfileFactory().user
    client.force_login(stranger)
    assert client.get(url).status_code == 404  # another homeowner's meter
