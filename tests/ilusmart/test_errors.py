"""ilusmart/errors.py: one application error that every service refusal is, and its one status table."""

import pytest

from accounts.services.users import VerificationError
from consents.services.mandates import NoActiveMandate
from ilusmart.errors import ApplicationError, http_status
from meters.services.csv_import import ReadingImportRejected, _too_large
from meters.services.faults import FaultActionRefused
from meters.services.sync import SyncBusy


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (VerificationError("stale"), "verification_link_invalid", 400),
        (NoActiveMandate("no mandate"), "no_active_mandate", 403),
        (SyncBusy("busy"), "sync_busy", 409),
        (FaultActionRefused("closed"), "fault_action_refused", 409),
        (ReadingImportRejected("rows", ["Rij 3: geen datum."]), "rows", 400),
        (_too_large(), "too_large", 413),
        (ApplicationError("Te veel aanvragen.", code="slow_down", kind="rate_limited"), "slow_down", 429),
    ],
)
def test_every_service_refusal_is_an_application_error_with_a_code_and_a_status(error, code, status):
    assert isinstance(error, ApplicationError)
    assert error.code == code
    assert http_status(error) == status
    assert str(error) == error.message != ""  # the message for people, never the code


def test_services_carry_no_http_status():
    assert not hasattr(_too_large(), "status")
