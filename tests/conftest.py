"""Project-wide pytest fixtures. Each section belongs to the part of the project it serves."""

import pytest

from ilusmart.fluvius.simulator.testing import SimulatorProcess

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


# --- Project-wide ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _dutch_by_default():
    """Each test starts in the default language (a request in English leaves it active)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
