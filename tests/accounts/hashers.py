"""A real password hasher for tests that counts how often it hashed (tests/accounts/test_enumeration.py).

Argon2 exactly as production configures it; it only also counts ``encode`` calls, so a test can
assert that two code paths did the same expensive work without timing anything.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class CountingArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"
    encoded = 0

    def encode(self, password, salt):
        type(self).encoded += 1
        return super().encode(password, salt)
