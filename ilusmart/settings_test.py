"""Settings for the test suite: the same as production code paths, on resources of this run's own.

Tests use the real PostgreSQL (pytest-django makes the test database) and the real Redis. Each
run claims its own Redis database, queue names and test database name (ilusmart/testrun.py), so
a development worker (database 0) or another test run is never touched. Set in the environment
so that the subprocesses the tests start (Celery worker, Fluvius simulator) agree.

``ILUSMART_TODAY=YYYY-MM-DD`` moves the project clock (ilusmart/clock.py) to 10:00 Belgian time
on that day, for this run and its subprocesses (see `make test-dates`).
"""

import os
from datetime import date, timedelta

from ilusmart import clock, testrun

testrun.configure_environment()
os.environ.setdefault("ILUSMART_TESTING", "1")
os.environ.setdefault("DEBUG", "true")  # local defaults (no secrets); pytest-django runs tests with DEBUG off
os.environ.setdefault("FLUVIUS_SIMULATOR_ENABLED", "true")
if os.environ.get("ILUSMART_TODAY") and "ILUSMART_CLOCK_SHIFT_SECONDS" not in os.environ:
    # Computed once, then inherited: every process of the run shares the same shift.
    shift = clock.shift_to(date.fromisoformat(os.environ["ILUSMART_TODAY"]))
    os.environ["ILUSMART_CLOCK_SHIFT_SECONDS"] = str(int(shift.total_seconds()))

from ilusmart.settings import *  # noqa: E402,F403

# Argon2 with the smallest cost parameters (tests/accounts/hashers.py): production's cost made
# every UserFactory user and every login take 0.15-0.2 s. tests/accounts/test_enumeration.py uses
# production's parameters.
PASSWORD_HASHERS = ["tests.accounts.hashers.FastArgon2PasswordHasher"]
CLOCK_SHIFT = timedelta(seconds=int(os.environ.get("ILUSMART_CLOCK_SHIFT_SECONDS", "0")))
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ILUSMART_TEST_DB", "test_ilusmart")}  # noqa: F405
# Django's PostgreSQL backend, whose flush after a transactional test empties the tables with
# DELETE instead of a slow TRUNCATE (tests/postgresql/base.py).
DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
