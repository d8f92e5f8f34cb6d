"""The download of Mijn gegevens is built by a real Celery worker, queued by the page's request."""

import io
import json
import time
import zipfile

import pytest
from django.db import connection
from django.urls import reverse

from ilusmart.tasks import ping
from privacy.models import DataExport
from tests.factories import ProfileFactory
from tests.processes import celery_worker


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    settings.PRIVACY_EXPORT_DIR = tmp_path / "exports"
    proc = celery_worker(
        database_name=connection.settings_dict["NAME"],
        env={"PRIVACY_EXPORT_DIR": str(settings.PRIVACY_EXPORT_DIR)},
    )
    yield proc
    proc.stop()


def test_the_page_queues_the_build_a_worker_makes_it_and_the_owner_downloads_it_once(worker, client):
    user = ProfileFactory().user
    client.force_login(user)
    assert client.post(reverse("privacy:my_data_export")).status_code == 302
    # One worker, first in first out: once the ping answers, the build queued before it has run.
    assert ping.delay("na").get(timeout=120) == "pong:na"
    deadline = time.monotonic() + 60
    export = DataExport.objects.get(user=user)
    while export.status != DataExport.Status.READY and time.monotonic() < deadline:
        time.sleep(0.5)
        export.refresh_from_db()
    assert export.status == DataExport.Status.READY, (export.status, worker.output()[-3000:])
    assert export.progress == 100
    assert "privacy.build_export" in worker.output()

    page = client.get(reverse("privacy:my_data"))
    link = reverse("privacy:my_data_export_download", args=["X"]).removesuffix("X/")
    assert link in page.text
    status = client.get(reverse("privacy:my_data_export_status")).json()
    assert status == {"status": "ready", "progress": 100}

    href = page.text.split(link, 1)[1].split('"', 1)[0]
    response = client.get(link + href)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("gegevens.json"))["data"]
    assert data["accounts.profile"][0]["last_name"] == user.profile.last_name
    assert client.get(link + href).status_code == 410
