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
