"""What one test run owns on this machine: a Redis database, queue names, a PostgreSQL test database.

Two test runs on one machine (a developer's and a CI clone's, or two at once) must not share
the Redis database that is their cache, Celery broker and result store, nor their queues or
test database. The first process of a run (pytest) claims a free slot 1-15 with an expiring
``SET NX`` key in Redis database 0, naming itself; the slot gives the Redis database, the queue
name and the test database name. They go into the environment, so that the Celery workers and
the simulator the tests start inherit them and never claim a slot of their own. A slot whose
owner died (same host, process gone) or whose key expired is taken over and emptied; a
database that holds data but no claim is someone else's and is left alone.

Only ilusmart/settings_test.py uses this.
"""

import atexit
import os
import socket

import redis

CLAIM_KEY = "ilusmart:test-run:{slot}"
CLAIM_SECONDS = 6 * 3600
SLOTS = range(1, 16)


def _alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True  # another machine's run: we cannot tell, so it is alive
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def claim_slot(server: str = "redis://127.0.0.1:6379") -> int:
    """Claim a free Redis database for this process's test run; released when the process exits."""
    me = f"{socket.gethostname()}:{os.getpid()}"
    control = redis.Redis.from_url(f"{server}/0")
    for slot in SLOTS:
        key = CLAIM_KEY.format(slot=slot)
        if not control.set(key, me, nx=True, ex=CLAIM_SECONDS):
            owner = (control.get(key) or b"").decode()
            if _alive(owner):
                continue
            control.set(key, me, ex=CLAIM_SECONDS)  # its owner is gone: take it over
        elif redis.Redis.from_url(f"{server}/{slot}").dbsize():
            control.delete(key)  # data without a claim: someone else's database
            continue
        database = redis.Redis.from_url(f"{server}/{slot}")
        database.flushdb()  # ours now: start from nothing (what a dead run left, if anything)
        atexit.register(_release, control, database, key, me)
        return slot
    raise RuntimeError(
        "no free Redis database for this test run: slots 1-15 are all claimed (keys "
        f"{CLAIM_KEY.format(slot='*')} in Redis database 0) or hold data of others"
    )


def _release(control, database, key: str, me: str) -> None:
    try:
        if (control.get(key) or b"").decode() == me:
            database.flushdb()
            control.delete(key)
    except redis.RedisError:
        pass  # the claim expires by itself


def configure_environment() -> None:
    """Give this run its own slot unless the environment already names one (subprocesses, or by hand)."""
    if "REDIS_URL" not in os.environ:
        slot = claim_slot()
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{slot}"
        os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"ilusmart-test-{slot}")
        os.environ.setdefault("ILUSMART_TEST_DB", f"test_ilusmart_{slot}")
    os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "ilusmart-test")
