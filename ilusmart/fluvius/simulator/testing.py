"""Run the simulator as a subprocess from tests (used by tests/conftest.py).

Only the standard library and requests; nothing here is imported by the simulator itself.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[3]
LISTENING = "Fluvius simulator listening on "


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def simulator_env(url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a simulator at ``url`` and for code that talks to it."""
    env = dict(os.environ)
    env.update(
        {
            "FLUVIUS_BASE_URL": f"{url}/esco-sim/v3",
            "FLUVIUS_TOKEN_URL": f"{url}/oauth2/v2.0/token",
            "FLUVIUS_PORTAL_URL": f"{url}/verbruik/dienstverlener?id=",
            "FLUVIUS_SIMULATOR_URL": url,
            # The simulator's local credentials: production (DEBUG off) has no defaults for them.
            "FLUVIUS_CLIENT_ID": "ilusmart-local",
            "FLUVIUS_CLIENT_SECRET": "local-simulator-secret",
            "FLUVIUS_SUBSCRIPTION_KEY": "local-subscription-key",
            "FLUVIUS_DATA_ACCESS_CONTRACT_NUMBER": "ILUMEN-LOCAL-0001",
            "FLUVIUS_SIMULATOR_ENABLED": "true",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


class SimulatorProcess:
    """A running ``manage.py fluvius_simulator`` with small HTTP helpers."""

    def __init__(self, *, port: int | None = None, state_path: str | None = None, env: dict | None = None):
        self.host = "127.0.0.1"
        self.port = port or free_port(self.host)
        self.url = f"http://{self.host}:{self.port}"
        self.api_base = f"{self.url}/esco-sim/v3"
        self.token_url = f"{self.url}/oauth2/v2.0/token"
        self.portal_url = f"{self.url}/verbruik/dienstverlener?id="
        self.state_path = state_path
        self.env = simulator_env(self.url, env)
        self.process: subprocess.Popen | None = None
        self._output = None

    def start(self, timeout: float = 30.0) -> "SimulatorProcess":
        """Start the subprocess and wait for its "listening" line; RuntimeError with its output."""
        command = [
            sys.executable,
            "manage.py",
            "fluvius_simulator",
            "--port",
            str(self.port),
            "--host",
            self.host,
        ]
        if self.state_path:
            command += ["--state", str(self.state_path)]
        # A file, not a pipe: nobody reads a pipe after start-up, and a full pipe would block it.
        self._output = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - open while the process runs
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=self.env, stdout=self._output, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if LISTENING.encode() in self._read_output():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        output = self.output()
        self.stop()
        raise RuntimeError(f"the Fluvius simulator did not start within {timeout:.0f} s:\n{output}")

    def _read_output(self) -> bytes:
        self._output.seek(0)
        return self._output.read()

    def output(self) -> str:
        """Everything the process wrote so far (stdout and stderr)."""
        return self._read_output().decode("utf-8", "replace") if self._output else ""

    def stop(self) -> None:
        """Terminate the subprocess (kill it if it does not stop within 10 s)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self._output is not None:
            self._output.close()
            self._output = None

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET ``path`` relative to the simulator root."""
        timeout = kwargs.pop("timeout", 30)
        return requests.get(self.url + path, timeout=timeout, **kwargs)

    def post(self, path: str, json=None, **kwargs) -> requests.Response:
        """POST JSON to ``path`` relative to the simulator root."""
        timeout = kwargs.pop("timeout", 30)
        return requests.post(self.url + path, json=json, timeout=timeout, **kwargs)

    def reset(self) -> None:
        """Forget all simulator state (POST /_sim/reset)."""
        self.post("/_sim/reset").raise_for_status()
