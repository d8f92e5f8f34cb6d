"""The processing restriction ("pause") itself: consents/services/restriction.py and its selectors.

What a pause stops (sync, fault mails) is tested where it happens: tests/meters/test_paused_processing.py.
"""

import pytest

from consents.models import FetchRefusal, ProcessingRestriction
from consents.selectors.restriction import processing_restricted, restriction_active, restrictions_for_user
from consents.services.mandates import NoActiveMandate, ProcessingRestricted, mandate_authorize_fetch
from consents.services.restriction import RestrictionRefused, restriction_lift, restriction_start
from ilusmart.errors import http_status
from tests.factories import MandateFactory, UserFactory

pytestmark = pytest.mark.django_db

HOMEOWNER = ProcessingRestriction.Source.HOMEOWNER


def test_a_pause_is_one_row_until_lifted_and_the_history_keeps_who_did_what():
    person, dpo = UserFactory(), UserFactory(is_staff=True)
    assert processing_restricted(user=person) is False

    first = restriction_start(user=person, source=HOMEOWNER, by=person, reason="even niet")
    again = restriction_start(user=person, source=ProcessingRestriction.Source.DPO, by=dpo)
    assert again.pk == first.pk  # idempotent: still the homeowner's pause
    assert processing_restricted(user=person) is True
    assert restriction_active(user=person).started_by == person

    lifted = restriction_lift(user=person, by=dpo)
    assert lifted.pk == first.pk and lifted.lifted_by == dpo and lifted.lifted_at is not None
    assert processing_restricted(user=person) is False
    assert restriction_lift(user=person, by=dpo) is None  # nothing left to lift

    second = restriction_start(user=person, source=ProcessingRestriction.Source.SUPPORT, by=dpo)
    assert [r.pk for r in restrictions_for_user(user=person)] == [second.pk, first.pk]


def test_a_pause_of_one_person_does_not_touch_another():
    paused, other = UserFactory(), UserFactory()
    restriction_start(user=paused, source=HOMEOWNER, by=paused)
    assert processing_restricted(user=other) is False
    assert processing_restricted(user=None) is False


@pytest.mark.parametrize(
    ("source", "reason", "code"),
    [("hacker", "", "restriction_source"), (HOMEOWNER, "x" * 501, "restriction_reason")],
)
def test_bad_input_is_refused_with_a_message_and_stores_nothing(source, reason, code):
    person = UserFactory()
    with pytest.raises(RestrictionRefused) as refused:
        restriction_start(user=person, source=source, by=person, reason=reason)
    assert refused.value.code == code and str(refused.value.message)
    assert http_status(refused.value) == 400
    assert not ProcessingRestriction.objects.exists()


def test_the_fetch_gate_refuses_a_paused_person_and_records_why():
    person = UserFactory()
    mandate = MandateFactory(user=person)
    assert mandate_authorize_fetch(user=person, ean=mandate.ean) == mandate

    restriction_start(user=person, source=HOMEOWNER, by=person)
    with pytest.raises(ProcessingRestricted) as refused:
        mandate_authorize_fetch(user=person, ean=mandate.ean)
    assert isinstance(refused.value, NoActiveMandate)  # every sync already ends on it as a skip
    refusal = FetchRefusal.objects.get(user=person)
    assert refusal.ean == mandate.ean and "restricted" in refusal.reason

    restriction_lift(user=person, by=person)
    assert mandate_authorize_fetch(user=person, ean=mandate.ean) == mandate
