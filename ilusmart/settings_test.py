"""Settings for the test suite: the same as production code paths, on test-only Redis keys.

Tests use the real PostgreSQL (pytest-django makes test_<name>) and the real Redis, on database
15 so that a running development worker or cache on database 0 is never touched. Set in the
environment so that subprocesses the tests start (Celery worker, Fluvius simulator) agree.
"""

import os

os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "ilusmart-test")
os.environ.setdefault("ILUSMART_TESTING", "1")
os.environ.setdefault("FLUVIUS_SIMULATOR_ENABLED", "true")

from ilusmart.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

# Two test runs on one machine (a developer's and a CI clone's) must not share a test database.
if os.environ.get("ILUSMART_TEST_DB"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["ILUSMART_TEST_DB"]}  # noqa: F405
