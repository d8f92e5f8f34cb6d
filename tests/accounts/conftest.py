import pytest


class _CommittingClient:
    """Django's test client, running each request's on-commit callbacks (mails) right after it.

    Tests run inside a transaction that never commits; in production the mails go out when the
    request's transaction commits, which is what this reproduces per request.
    """

    def __init__(self, client, capture):
        self._client = client
        self._capture = capture

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if name not in {"get", "post"}:
            return attr

        def call(*args, **kwargs):
            with self._capture(execute=True):
                return attr(*args, **kwargs)

        return call


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    return _CommittingClient(client, django_capture_on_commit_callbacks)


@pytest.fixture(autouse=True)
def _empty_cache(cache_keys_cleared):
    """Login-failure counters live in the cache: start each test without any (tests/conftest.py)."""


# --- Staff in the admin (accounts/admin.py, accounts/admin_site.py) -----------------------------


@pytest.fixture
def staff_user():
    """make(role): an active staff user in group ``role`` ("support", "dpo") or a superuser."""
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    def make(role: str, **fields):
        if role == "superuser":
            return UserFactory(is_staff=True, is_superuser=True, **fields)
        user = UserFactory(is_staff=True, **fields)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def admin_login():
    """admin_login(client, user): log ``user`` into the admin as far as their role allows."""

    def login(client, user):
        client.force_login(user)
        return client

    return login
