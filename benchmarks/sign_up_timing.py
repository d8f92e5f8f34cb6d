"""Sign-up timing: does the answer take as long for an address that has an account as for a new one?

    .venv/bin/python benchmarks/sign_up_timing.py --repeat 40

Issue 8, item 2 ("no enumeration"): the page says the same thing for both, and the time must not
tell them apart either. ``accounts.services.users.user_sign_up`` hashes the password first in
both paths (Argon2, the one costly step), then either creates the account or mails the owner of
the known one.

Creates (and drops at the end, unless ``--keep``) its own database ``ilusmart_bench_signup``,
migrates it, creates one known account, then POSTs the sign-up form through Django's test
``Client`` (in-process, production settings with ``DEBUG=false``, the locmem mail backend), a
new address and the known address alternately for ``--repeat`` rounds (each request from its own
client address, so the rate limit on sign-up does not interfere). Reports the median, p10 and p90
of each and the difference of the medians, next to one Argon2 hash on its own.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.benchdb import bench_database_create, bench_database_drop  # noqa: E402
from ilusmart.fluvius.simulator.testing import simulator_env  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40, help="rounds (one new, one known sign-up each)")
    parser.add_argument("--database", default="ilusmart_bench_signup")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    return parser.parse_args()


ARGS = parse_args()
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "ilusmart.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "EMAIL_URL": "memorymail://",
        "ILUSMART_TESTING": "1",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_KEY_PREFIX": "ilusmart-bench-signup-" + secrets.token_hex(4),
        **{k: v for k, v in simulator_env("http://127.0.0.1:9").items() if k.startswith("FLUVIUS_")},
    }
)
bench_database_create(ARGS.database)

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", message="No directory at")

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402

FORM = {
    "password1": "zonnepaneel-2026!",
    "password2": "zonnepaneel-2026!",
    "first_name": "Els",
    "last_name": "Janssens",
    "street": "Stationsstraat",
    "house_number": "4",
    "postal_code": "2800",
    "municipality": "Mechelen",
    "country": "BE",
    "phone": "0470 12 34 56",
}
KNOWN = "bekend@example.be"


def _post(client: Client, email: str, n: int) -> float:
    address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    start = time.perf_counter()
    response = client.post(reverse("accounts:sign_up"), {**FORM, "email": email}, REMOTE_ADDR=address)
    elapsed = time.perf_counter() - start
    if response.status_code not in (200, 302):
        raise SystemExit(f"sign-up answered {response.status_code}: {response.content[:300]!r}")
    return elapsed * 1000


def _summary(values: list[float]) -> str:
    deciles = statistics.quantiles(values, n=10)
    return f"median {statistics.median(values):7.1f} ms   p10 {deciles[0]:7.1f}   p90 {deciles[-1]:7.1f}"


def main() -> None:
    try:
        call_command("migrate", verbosity=0)
        User.objects.create_user(email=KNOWN, password="iets-anders-2026!")
        client = Client()
        mail.outbox = []
        _post(client, "opwarmen@example.be", 0)  # first request: imports, template loading
        new, known = [], []
        for n in range(1, ARGS.repeat + 1):
            new.append(_post(client, f"nieuw{n}@example.be", 2 * n))
            known.append(_post(client, KNOWN, 2 * n + 1))
        hashes = []
        for _ in range(10):
            start = time.perf_counter()
            make_password("zonnepaneel-2026!")
            hashes.append((time.perf_counter() - start) * 1000)
        print(f"sign-up, new address   ({len(new)}): {_summary(new)}")
        print(f"sign-up, known address ({len(known)}): {_summary(known)}")
        difference = statistics.median(known) - statistics.median(new)
        print(f"known − new, medians: {difference:+.1f} ms")
        print(f"one Argon2 hash alone (10): median {statistics.median(hashes):.1f} ms")
        print(f"mails sent: {len(mail.outbox)} (one per sign-up)")
    finally:
        from django.db import connections

        connections.close_all()
        if not ARGS.keep:
            bench_database_drop(ARGS.database)


if __name__ == "__main__":
    main()
