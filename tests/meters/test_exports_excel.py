"""The export form's defaults and its Excel variant (meters/views/exports.py, meters/services/export.py)."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from ilusmart import clock
from tests.factories import MeterFactory, covering_mandate
from tests.meters.values import day_values, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def meter(client):
    from meters.services.ingest import readings_ingest

    meter = MeterFactory()
    covering_mandate(meter)
    readings_ingest(
        meter=meter,
        values=day_values(
            utc("2025-06-13T22:00"), 96, offtake={0: "0.125", 9: "1.300"}, injection={40: "2.5"}
        ),
    )
    client.force_login(meter.owner)
    return meter


def _download(client, meter, **params):
    query = {"van": "2025-06-14", "tot": "2025-06-14", "resolutie": "day", **params}
    return client.get(reverse("meters:export_download", args=[meter.pk]), query)


def test_the_form_proposes_the_last_complete_month(client, meter):
    html = client.get(reverse("meters:export", args=[meter.pk])).text
    last = clock.local_today().replace(day=1) - timedelta(days=1)
    assert f'name="van" value="{last.replace(day=1).isoformat()}"' in html
    assert f'name="tot" value="{last.isoformat()}"' in html
    assert re.search(r'value="standard"[^>]*checked|checked[^>]*value="standard"', html)
    assert 'value="excel_be"' in html


def test_the_excel_variant_opens_in_belgian_excel(client, meter):
    standard = b"".join(_download(client, meter).streaming_content).decode("ascii")
    response = _download(client, meter, formaat="excel_be")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-2025-06-14-2025-06-14-excel.csv"')
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel decodes it as UTF-8
    text = body.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    expected = list(csv.DictReader(io.StringIO(standard)))
    assert [r.keys() for r in rows] == [r.keys() for r in expected]
    (row,) = rows
    assert row["offtake_kwh"] == "1,425" and row["injection_kwh"] == "2,500"  # decimal comma
    assert row["local_start"] == "2025-06-14" and row["quarter_hours_expected"] == "96"
    # Same cells as the standard file, bar the decimal separator.
    for key, value in expected[0].items():
        assert row[key] == (value.replace(".", ",") if re.fullmatch(r"\d+\.\d+", value) else value), key
    assert Decimal(row["offtake_kwh"].replace(",", ".")) == Decimal("1.425")


def test_the_standard_csv_stays_the_default(client, meter):
    body = b"".join(_download(client, meter).streaming_content)
    assert not body.startswith(b"\xef\xbb\xbf") and b";" not in body
    assert b"1.425" in body
    assert _download(client, meter, formaat="xls").status_code == 400


def test_quarter_hours_in_the_excel_variant(client, meter):
    text = b"".join(_download(client, meter, resolutie="quarter_hour", formaat="excel_be").streaming_content)
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 96
    assert rows[0]["local_start"] == "2025-06-14 00:00" and rows[0]["utc_offset"] == "+02:00"
    assert rows[0]["offtake_kwh"] == "0,125" and rows[9]["offtake_kwh"] == "1,300"
    assert date.fromisoformat(rows[0]["local_start"][:10]) == date(2025, 6, 14)
