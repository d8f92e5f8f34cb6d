"""The ZIP of Mijn gegevens (privacy/services/exports.py, privacy/views_my_data.py)."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse

from privacy.datamap import fields_to_export, rows_about
from privacy.models import DataExport
from privacy.selectors.exports import json_export_labels
from privacy.services.exports import export_build, export_request, export_token, exports_cleanup
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db(transaction=False)

# The models the fixture fills; the ZIP must hold each (so the comparison below is not empty).
FILLED = {
    "accounts.user",
    "accounts.profile",
    "accounts.usersession",
    "accounts.emailchange",
    "accounts.accessrecord",
    "consents.mandate",
    "consents.fetchrefusal",
    "consents.processingrestriction",
    "meters.meter",
    "meters.product",
    "meters.metersyncstate",
    "meters.syncdeadletter",
    "meters.readingimport",
    "meters.fault",
    "meters.faultnote",
    "meters.contactnote",
    "privacy.disclosure",
    "privacy.dataexport",
}


def _ready_export(user):
    export = export_request(user=user)
    return export_build(export_id=export.pk)


def _zip_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _download(client, user, export):
    client.force_login(user)
    return client.get(reverse("privacy:my_data_export_download", args=[export_token(export=export)]))


def test_the_zip_holds_every_exported_field_of_every_row_about_the_person(
    client, export_dir, person_with_everything
):
    user = person_with_everything["user"]
    export = _ready_export(user)
    assert export.status == DataExport.Status.READY and export.progress == 100
    assert export.expires_at == export.ready_at + timedelta(days=7)

    expected = {}  # counted before the download's login adds a session row
    for label in json_export_labels():
        rows = rows_about(apps.get_model(label), user=user)
        if rows.exists():
            expected[label] = rows.count()

    archive = _zip_of(_download(client, user, export))
    data = json.loads(archive.read("gegevens.json"))["data"]
    assert set(expected) >= FILLED, f"the fixture fills no row of {sorted(FILLED - set(expected))}"
    assert {label: len(records) for label, records in data.items()} == expected
    for label, records in data.items():
        for record in records:
            assert set(record) == set(fields_to_export(label)), label
    # Spot checks of values: the person's own, links shown by name.
    assert data["accounts.profile"][0]["first_name"] == user.profile.first_name
    assert data["meters.product"][0]["meter"] == person_with_everything["meter"].ean
    assert data["meters.product"][0]["inverter_serial"] == "SN-77"
    assert data["privacy.disclosure"][0]["partner"] == "Zon & Co"
    assert data["accounts.user"][0]["email"] == user.email
    assert "password" not in data["accounts.user"][0]


def test_the_zip_holds_the_readings_of_the_persons_own_days_only(client, export_dir, person_with_everything):
    user, meter = person_with_everything["user"], person_with_everything["meter"]
    archive = _zip_of(_download(client, user, _ready_export(user)))
    names = [n for n in archive.namelist() if n.startswith("metingen/")]
    quarter = [n for n in names if "-kwartieren-" in n]
    days = [n for n in names if "-dagen-" in n]
    assert quarter == [f"metingen/{meter.ean}-kwartieren-2025-06-01-2025-06-01.csv"]
    assert days == [f"metingen/{meter.ean}-dagen-2025-06-01-2025-06-01.csv"]
    rows = list(csv.DictReader(io.StringIO(archive.read(quarter[0]).decode("ascii"))))
    assert len(rows) == 96
    assert rows[4]["local_start"] == "2025-06-01 01:00" and rows[4]["offtake_kwh"] == "0.250"
    text = b"".join(archive.read(n) for n in names).decode("ascii")
    assert "9.999" not in text, text[:3000]  # the previous occupant's day
    assert not any(r["local_start"].startswith("2025-05-31") for r in rows)
    day_rows = list(csv.DictReader(io.StringIO(archive.read(days[0]).decode("ascii"))))
    assert [(r["local_start"], r["offtake_kwh"]) for r in day_rows] == [("2025-06-01", "0.250")]


def test_another_user_cannot_fetch_it(client, export_dir, person_with_everything):
    export = _ready_export(person_with_everything["user"])
    other = ProfileFactory().user
    response = _download(client, other, export)
    assert response.status_code == 404
    assert "bestaat niet" in response.text
    export.refresh_from_db()
    assert export.used_at is None and (export_dir / export.file_name).exists()
    client.logout()
    anonymous = client.get(reverse("privacy:my_data_export_download", args=[export_token(export=export)]))
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]


def test_the_link_works_once_and_the_file_is_gone_after(client, export_dir, person_with_everything):
    user = person_with_everything["user"]
    export = _ready_export(user)
    path = export_dir / export.file_name
    assert path.exists()
    assert _download(client, user, export).status_code == 200
    assert not path.exists()
    again = _download(client, user, export)
    assert again.status_code == 410
    assert "al gebruikt" in again.text
    export.refresh_from_db()
    assert export.status == DataExport.Status.USED and export.used_at is not None


def test_an_expired_link_is_refused_and_the_cleanup_deletes_its_file(
    client, export_dir, person_with_everything, settings
):
    user = person_with_everything["user"]
    export = _ready_export(user)
    path = export_dir / export.file_name
    settings.CLOCK_SHIFT = settings.CLOCK_SHIFT + timedelta(days=7, minutes=1)
    response = _download(client, user, export)
    assert response.status_code == 410
    assert "verlopen" in response.text
    assert path.exists()  # refused, not yet cleaned
    assert exports_cleanup()["expired"] == 1
    assert not path.exists()
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and export.file_name == ""


def test_a_tampered_link_is_refused(client, export_dir, person_with_everything):
    user = person_with_everything["user"]
    export = _ready_export(user)
    client.force_login(user)
    token = export_token(export=export)
    response = client.get(reverse("privacy:my_data_export_download", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "ongeldig" in response.text


def test_asking_twice_while_it_is_made_gives_one_export_and_the_page_shows_progress(client, export_dir):
    user = ProfileFactory().user
    client.force_login(user)
    assert client.post(reverse("privacy:my_data_export")).status_code == 302
    assert client.post(reverse("privacy:my_data_export")).status_code == 302
    assert DataExport.objects.filter(user=user).count() == 1
    page = client.get(reverse("privacy:my_data"))
    assert "<progress" in page.text
    assert client.get(reverse("privacy:my_data_export_status")).json() == {
        "status": "requested",
        "progress": 0,
    }
    export_build(export_id=DataExport.objects.get(user=user).pk)
    page = client.get(reverse("privacy:my_data"))
    assert "Download je gegevens" in page.text
    assert client.get(reverse("privacy:my_data_export_status")).json()["status"] == "ready"


def test_asking_is_rate_limited(client, export_dir, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "data_export": {"user": 2, "seconds": 3600}}
    user = ProfileFactory().user
    client.force_login(user)
    statuses = [client.post(reverse("privacy:my_data_export")).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_a_get_cannot_ask_for_an_export(client, export_dir):
    user = ProfileFactory().user
    client.force_login(user)
    assert client.get(reverse("privacy:my_data_export")).status_code == 405
    assert not DataExport.objects.filter(user=user).exists()


def test_the_cleanup_deletes_a_file_no_row_names(export_dir):
    import os
    import time

    stray = export_dir / "export-0-deadbeef.zip"
    export_dir.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"PK")
    recent = export_dir / "export-0-cafe.zip.part"
    recent.write_bytes(b"PK")
    old = time.time() - 7 * 3600  # the file system's clock: file ages are real
    os.utime(stray, (old, old))
    assert exports_cleanup()["leftovers"] == 1
    assert not stray.exists() and recent.exists()  # a build may still be writing the recent one
