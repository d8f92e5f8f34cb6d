"""The mandate tests use the sync tests' simulator and connected-meter fixtures."""

from tests.meters.conftest import connected_meter, sim  # noqa: F401 (fixtures)
