"""Production fails closed (ilusmart/settings.py, ilusmart/checks.py): no secret, mailer or Fluvius
credential has a default once DEBUG is off, and ``check --deploy`` refuses a simulator or plain HTTP.

Each case imports the settings in a fresh Python process with exactly the environment given.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ilusmart.conftest import PRODUCTION

ROOT = Path(__file__).resolve().parents[2]


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "ilusmart.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_is_off_unless_asked_for():
    result = _run({}, "shell", "-c", "from django.conf import settings; print(settings.DEBUG)")
    # With nothing set, DEBUG is off, so the settings refuse to start without a secret key.
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "EMAIL_URL",
        "FLUVIUS_BASE_URL",
        "FLUVIUS_TOKEN_URL",
        "FLUVIUS_PORTAL_URL",
        "FLUVIUS_CLIENT_ID",
        "FLUVIUS_CLIENT_SECRET",
        "FLUVIUS_SUBSCRIPTION_KEY",
        "FLUVIUS_DATA_ACCESS_CONTRACT_NUMBER",
    ],
)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run(env, "check")
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize("name", ["FLUVIUS_BASE_URL", "FLUVIUS_CLIENT_SECRET"])
def test_an_empty_variable_counts_as_missing(name):
    """docker-compose passes unset variables on as empty strings."""
    result = _run({**PRODUCTION, name: ""}, "check")
    assert result.returncode != 0
    assert name in result.stderr


def test_production_with_everything_set_passes_the_deploy_check():
    result = _run(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SITE_URL": "http://ilusmart.ilumen.be"}, "ilusmart.E001"),
        ({"FLUVIUS_BASE_URL": "http://127.0.0.1:8099/esco-sim/v3"}, "ilusmart.E002"),
        ({"FLUVIUS_SIMULATOR_ENABLED": "true"}, "ilusmart.E003"),
    ],
)
def test_the_deploy_check_refuses_plain_http_and_the_simulator(change, message):
    result = _run({**PRODUCTION, **change}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert message in result.stderr + result.stdout
