"""Project-wide pytest fixtures. Each section belongs to the part of the project it serves."""

import pytest

from ilusmart.fluvius.simulator.testing import SimulatorProcess


def pytest_collection_modifyitems(items):
    """Transactional tests empty every table afterwards, also the staff roles and permissions the
    data migrations create; a test that needs them would then pass or fail by the order tests run
    in. Each transactional test therefore gets a serialized rollback: the database's content after
    the migrations is restored before it runs."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        # Transactional by its mark, or by asking for a fixture that makes it so (pytest-django).
        transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
            {"transactional_db", "live_server"} & set(item.fixturenames)
        )
        if transactional and not (marker is not None and "serialized_rollback" in marker.kwargs):
            args, kwargs = (marker.args, marker.kwargs) if marker is not None else ((), {})
            item.add_marker(
                pytest.mark.django_db(*args, **{**kwargs, "transaction": True, "serialized_rollback": True}),
                append=False,
            )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Keep the database's serialized content for every connection object the tests get.

    Django keeps it on the connection object; a browser test (Playwright's greenlets, started by
    a session fixture before the test's database set-up) leaves the main thread with a new
    connection object without it, and the serialized rollback would silently restore nothing
    (and the flush after the test would recreate content types). Kept on the wrapper's class,
    every connection object of the run has it.
    """
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = connection.__dict__.get("_test_serialized_contents")
        if contents is not None:
            type(connection)._test_serialized_contents = contents


# --- Fluvius simulator (ilusmart/fluvius/simulator) --------------------------------------------


@pytest.fixture(scope="session")
def fluvius_simulator():
    """One real simulator subprocess for the whole session (``manage.py fluvius_simulator``).

    Offers ``.url`` (root), ``.api_base``, ``.token_url``, ``.portal_url``, ``.reset()``,
    ``.post(path, json)`` and ``.get(path)`` (paths relative to the root, e.g. "/_sim/meters").
    """
    try:
        simulator = SimulatorProcess().start(timeout=30)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield simulator
    simulator.stop()


@pytest.fixture
def fluvius_settings(settings, fluvius_simulator):
    """Point the FLUVIUS_* settings at the session's simulator, reset it, and return it."""
    fluvius_simulator.reset()
    settings.FLUVIUS_BASE_URL = fluvius_simulator.api_base
    settings.FLUVIUS_TOKEN_URL = fluvius_simulator.token_url
    settings.FLUVIUS_PORTAL_URL = fluvius_simulator.portal_url
    settings.FLUVIUS_SIMULATOR_URL = fluvius_simulator.url
    return fluvius_simulator


class FluviusStub:
    """A tiny real HTTP server in this process for answers the strict simulator never gives.

    It hands out a token on ``POST /token`` and answers every ``GET`` under ``/api`` with 200 and
    ``body`` (set by the test; encoded as JSON). ``paths`` lists the API paths asked, in order.
    ``client(**overrides)`` builds a ``FluviusClient`` against it (no back-off waits).
    """

    def __init__(self):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        stub = self
        self.body = {"data": {}}
        self.paths: list[str] = []
        self._clients = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, payload):
                raw = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer({"token_type": "Bearer", "expires_in": 3599, "access_token": "stub-token"})

            def do_GET(self):
                stub.paths.append(self.path.split("?")[0])
                self._answer(stub.body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def client(self, **overrides):
        from ilusmart.fluvius.client import FluviusClient

        kwargs = {
            "base_url": self.url,
            "token_url": self.url + "/token",
            "client_id": "stub",
            "client_secret": "stub",
            "scope": "stub",
            "subscription_key": "stub",
            "sleep": lambda seconds: None,
        }
        client = FluviusClient(**{**kwargs, **overrides})
        self._clients.append(client)
        return client

    def stop(self):
        for client in self._clients:
            client.invalidate_token()
            client.close()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def fluvius_stub():
    """A ``FluviusStub``: a tiny real HTTP server whose API answers are whatever the test sets."""
    stub = FluviusStub()
    yield stub
    stub.stop()


# --- Project-wide ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _dutch_by_default():
    """Each test starts in the default language (a request in English leaves it active)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def cache_keys_cleared():
    """Delete this run's cache entries (keys under the cache's prefix) before the test.

    Not ``cache.clear()``: that flushes the whole Redis database, which is also the run's Celery
    broker and result store.
    """
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _rate_limits_cleared():
    """Each test starts with no rate-limit, mail-cap, running-place or API throttle counts
    (accounts.services.rate_limits; ilusmart.api.throttling).

    Every test request comes from 127.0.0.1, so counts per address would otherwise add up over
    a whole run and refuse some later test's requests.
    """
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    for pattern in ("ratelimit:*", "mailcap:*", "running:*", "throttle_*"):  # throttle_*: the API's
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*:{pattern}", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(autouse=True)
def _drain_queues():
    """Remove what a test left queued for Celery (e.g. a back-fill queued by a page's on-commit).

    Nothing consumes the run's queues between tests; a task left there would be run by the next
    test's worker against that test's database.
    """
    yield
    from django.conf import settings

    from ilusmart.celery import app

    with app.connection_for_write() as connection:
        redis = connection.default_channel.client
        # The queue, its back-fill queue (same prefix), their priority lists, and unacked tasks.
        keys = [*redis.scan_iter(match=f"{settings.CELERY_TASK_DEFAULT_QUEUE}*"), "unacked", "unacked_index"]
        redis.delete(*keys)


# --- Staff in the admin (accounts/admin_site.py: every staff user passes a second factor) ----


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
    """admin_login(client, user): log ``user`` in, past the second factor when they are staff.

    Staff get a confirmed TOTP device and a session verified with it, as after the code page
    (accounts.admin_site); ``verified=False`` stops after the password.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(client, user, *, verified=True):
        client.force_login(user)
        if verified and (user.is_staff or user.is_superuser):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return login


@pytest.fixture
def totp_code():
    """totp_code(device): the code the device's authenticator app shows now."""
    from django_otp.oath import TOTP

    def code(device):
        return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"

    return code


@pytest.fixture
def admin_client(client, admin_user, admin_login):
    """pytest-django's admin_client, past the second factor like every staff session."""
    return admin_login(client, admin_user)


# --- The mobile-app API (ilusmart/api, <app>/api; issue 11) ---------------------------------


@pytest.fixture
def api_token():
    """make(user, device="test phone") -> a live bearer token of ``user`` (the token itself)."""
    from accounts.services.api_tokens import api_token_create

    def make(user, device: str = "test phone") -> str:
        return api_token_create(user=user, device=device)[1]

    return make


@pytest.fixture
def bearer(api_token):
    """bearer(user) -> the ``HTTP_AUTHORIZATION`` keyword arguments for a test-client request as ``user``."""

    def make(user) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {api_token(user)}"}

    return make
