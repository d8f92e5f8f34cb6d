"""Start real processes for tests (Celery workers), with their output kept for failure messages."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ManagedProcess:
    """A subprocess whose combined output goes to a temporary file."""

    def __init__(self, args, *, env=None):
        self.log = tempfile.NamedTemporaryFile(prefix="ilusmart-proc-", suffix=".log", delete=False)  # noqa: SIM115 (kept open for the process)
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"process did not print {text!r}:\n{self.output()[-4000:]}")

    def kill(self, sig=signal.SIGKILL) -> None:
        """Send `sig` to the whole process group (a Celery worker and its pool children)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        os.unlink(self.log.name)


def celery_worker_argv(*, queue: str, concurrency: int, name: str) -> list[str]:
    """The command line of a real Celery worker on `queue` and its back-fill queue (see settings)."""
    return [
        sys.executable, "-m", "celery", "-A", "ilusmart", "worker",
        "--queues", f"{queue},{queue}-backfill",
        "--concurrency", str(concurrency),
        "--pool", "prefork",
        "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", f"{name}-{os.getpid()}-{time.monotonic_ns()}@%h",
    ]  # fmt: skip


def celery_worker(*, database_name: str, concurrency: int = 1, env=None) -> ManagedProcess:
    """Start a real Celery worker on the test queue, against the given (test) database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database_name}"
    worker = ManagedProcess(
        celery_worker_argv(queue=settings.CELERY_TASK_DEFAULT_QUEUE, concurrency=concurrency, name="test"),
        env={
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "ilusmart.settings_test",
            # The worker shares the test's project clock (ilusmart/clock.py), moved or not.
            "ILUSMART_CLOCK_SHIFT_SECONDS": str(int(settings.CLOCK_SHIFT.total_seconds())),
            **(env or {}),
        },
    )
    worker.wait_for("ready.", timeout=60)
    return worker
