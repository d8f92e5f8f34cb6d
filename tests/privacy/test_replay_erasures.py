"""replay_erasures (issue 10): a database restored from a dump taken before an erasure brings the
person back; replaying the ledger since the dump's date erases them again, to zero canary hits.

Transactional on purpose: the dump and the restore (pg_dump / pg_restore of the test database)
see only committed data, and the restore needs the database without open connections."""

import os
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections

from accounts.selectors import address_suppressed
from ilusmart import clock
from privacy.models import ErasureReceipt
from privacy.services.erasure import person_erase
from tests.privacy.conftest import database_hits

pytestmark = pytest.mark.django_db(transaction=True)


def _pg(tool: str, *args: str) -> None:
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = [tool, "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    command += ["-U", db.get("USER") or "postgres", *args]
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=300)


def test_replay_after_restoring_a_dump_from_before_the_erasure(canary_person, tmp_path):
    canary = canary_person()
    name = connection.settings_dict["NAME"]
    dump = tmp_path / "before.dump"
    _pg("pg_dump", "-Fc", "-d", name, "-f", str(dump))  # the nightly backup, before the erasure

    outcome = person_erase(
        email=canary.email, personal=True, meter=True, permanent=True, reason="bevestigd", via="command"
    )
    assert outcome.changed and database_hits(canary.needles) == {}

    connections.close_all()
    _pg("pg_restore", "--clean", "--if-exists", "--no-owner", "-d", name, str(dump))
    assert database_hits(canary.needles)  # the restore brought them back
    assert not ErasureReceipt.objects.exists() and not address_suppressed(email=canary.email)

    out = StringIO()
    call_command("replay_erasures", "--since", clock.local_today().isoformat(), stdout=out)
    assert "1 receipts" in out.getvalue()
    assert database_hits(canary.needles) == {}
    assert address_suppressed(email=canary.email)
    replayed = ErasureReceipt.objects.get()
    assert (replayed.via, replayed.replays) == ("replay", outcome.receipt.uuid)

    # Replaying again changes nothing more.
    call_command("replay_erasures", "--since", clock.local_today().isoformat(), stdout=StringIO())
    assert ErasureReceipt.objects.count() == 1
