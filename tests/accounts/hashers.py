"""Password hashers for the test suite.

``FastArgon2PasswordHasher`` is the suite's hasher (ilusmart/settings_test.py): Argon2id through
the same code as production, with the smallest cost parameters argon2 allows. Production's
parameters (100 MiB of memory per hash) cost about 0.15-0.2 s per hash here, and every
``UserFactory`` user and every login hashes: the account and admin-permission tests took four
times as long with them. No test is about the cost parameters themselves.

``CountingArgon2PasswordHasher`` (tests/accounts/test_enumeration.py) is Argon2 exactly as
production configures it; it only also counts ``encode`` calls, so a test can assert that two
code paths did the same expensive work without timing anything.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"
    time_cost = 1
    memory_cost = 8  # KiB: argon2's minimum, 8 x parallelism
    parallelism = 1


class CountingArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"
    encoded = 0

    def encode(self, password, salt):
        type(self).encoded += 1
        return super().encode(password, salt)
