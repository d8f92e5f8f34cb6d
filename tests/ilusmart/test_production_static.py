"""The portal serves its pages with production settings (DEBUG off) from the built static files.

What the Docker image does, run here: ``collectstatic`` with production settings (the manifest
of hashed names is written), then gunicorn with DEBUG off answers a page and the static files it
links to. A page that names a file missing from the manifest is a 500 in production only.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from ilusmart.fluvius.simulator.testing import free_port
from tests.ilusmart.conftest import PRODUCTION

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.django_db
def test_pages_and_their_static_files_are_served_with_debug_off(tmp_path):
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}},
        **PRODUCTION,
        "DJANGO_SETTINGS_MODULE": "ilusmart.settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": os.environ["REDIS_URL"],
    }
    built = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()  # the manifest of hashed names

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ilusmart.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        behind_tls = {"X-Forwarded-Proto": "https"}  # what the TLS proxy in front adds
        deadline = time.monotonic() + 60
        while True:
            try:
                page = requests.get(f"{base}/accounts/aanmelden/", headers=behind_tls, timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert page.status_code == 200, page.text[:2000]
        assert "Aanmelden" in page.text
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        assert assets and all(re.search(r"\.[0-9a-f]{12}\.", a) for a in assets), assets  # hashed names
        for asset in assets:
            response = requests.get(base + asset, headers=behind_tls, timeout=5)
            assert response.status_code == 200, asset
            assert "max-age=315360000" in response.headers.get("Cache-Control", ""), asset  # immutable
        assert requests.get(f"{base}/bestaat-niet/", headers=behind_tls, timeout=5).status_code == 404
    finally:
        server.terminate()
        server.wait(timeout=20)
