"""EAN check digit, sandbox EANs and form validation (ilusmart/fluvius/ean.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ilusmart.fluvius.ean import ean_check_digit, ean_is_sandbox, ean_is_valid, ean_normalize, ean_validate

REAL_EAN = "541448820050357909"  # from belgian-energy.md; passes the check
SANDBOX_EAN = "541440110000000011"  # 54144…0000000…, fails the check


def test_check_digit_of_the_documented_ean():
    assert ean_check_digit(REAL_EAN[:17]) == 9


@pytest.mark.parametrize(
    "first_17",
    ["54144882005035790", "00000000000000000", "99999999999999999", "54000000000000001"],
)
def test_every_computed_check_digit_validates(first_17):
    assert ean_is_valid(first_17 + str(ean_check_digit(first_17)))


def test_check_digit_needs_17_digits():
    with pytest.raises(ValueError):
        ean_check_digit("123")


def test_valid_ean():
    assert ean_is_valid(REAL_EAN)


@pytest.mark.parametrize(
    "ean",
    [
        "541448820050357908",  # wrong check digit
        "54144882005035790",  # 17 digits
        "5414488200503579090",  # 19 digits
        "54144882005035790X",
        " 541448820050357909",  # is_valid does not normalise
        "",
        None,
        541448820050357909,
        "５４１４４８８２００５０３５７９０９",  # full-width digits are not ASCII digits
    ],
)
def test_invalid_eans(ean):
    assert not ean_is_valid(ean)


def test_a_single_digit_change_is_detected():
    for position in range(17):
        digits = list(REAL_EAN)
        digits[position] = str((int(digits[position]) + 1) % 10)
        assert not ean_is_valid("".join(digits)), position


def test_sandbox_ean_recognised():
    assert not ean_is_valid(SANDBOX_EAN)
    assert ean_is_sandbox(SANDBOX_EAN)


def test_real_ean_is_not_sandbox():
    assert not ean_is_sandbox(REAL_EAN)


@pytest.mark.parametrize(
    "ean",
    [
        "541230110000000011",  # wrong prefix
        "541441234567891230",  # no 0000000 run
        "5414401100000000",  # too short
    ],
)
def test_not_sandbox(ean):
    assert not ean_is_sandbox(ean)


def test_sandbox_pattern_that_happens_to_pass_the_check_is_a_real_ean():
    first_17 = "54144011000000001"
    ean = first_17 + str(ean_check_digit(first_17))
    assert ean_is_valid(ean)
    assert not ean_is_sandbox(ean)


def test_normalize_strips_spaces_and_separators():
    assert ean_normalize(" 5414 4882\u00a00050.3579-09 ") == REAL_EAN


@pytest.mark.parametrize("allow", [True, False])
def test_validate_returns_normalized_real_ean(allow):
    assert ean_validate("5414 4882 0050 3579 09", allow_test_eans=allow) == REAL_EAN


def test_validate_accepts_sandbox_ean_when_allowed():
    assert ean_validate(SANDBOX_EAN, allow_test_eans=True) == SANDBOX_EAN


def _error(ean, allow=False):
    with pytest.raises(ValidationError) as excinfo:
        ean_validate(ean, allow_test_eans=allow)
    return excinfo.value


def test_validate_refuses_sandbox_ean_when_not_allowed():
    error = _error(SANDBOX_EAN)
    assert error.code == "test_ean_not_allowed"
    assert "test-EAN" in error.messages[0]


@pytest.mark.parametrize("ean", ["", "   ", None])
def test_validate_required(ean):
    assert _error(ean).code == "required"


@pytest.mark.parametrize("ean", ["1234", "54144882005035790A", "5414488200503579091"])
def test_validate_length(ean):
    error = _error(ean)
    assert error.code == "invalid_length"
    with translation.override("nl-be"):
        assert error.messages == ["Een EAN-code bestaat uit 18 cijfers."]


def test_validate_check_digit():
    error = _error("541448820050357908", allow=True)
    assert error.code == "invalid_check_digit"
    assert "controlecijfer" in error.messages[0]
