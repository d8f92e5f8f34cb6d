"""consents/services/cookies.py and the cookie-choice selectors: records, withdrawal, the cookie's
validity (six months, unchanged cookie lists, not tampered with)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from consents.cookie_choice import cookie_lists_fingerprints
from consents.models import CookieConsent
from consents.selectors.cookies import cookie_choice_current, cookie_consent_find, cookie_consents_for_user
from consents.services.cookies import (
    CookieChoiceRefused,
    cookie_consent_cookie_value,
    cookie_consent_record,
    cookie_consent_withdraw,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LISTS = {"analytics": ["_ga", "_ga_TEST123"], "social_media": []}


class Anonymous:
    is_authenticated = False


def record(**overrides):
    arguments = {
        "user": Anonymous(),
        "choices": {"analytics": True, "social_media": False},
        "cookie_lists": LISTS,
        "policy_version": "cookies/nl/v1",
        "via": "banner",
    }
    return cookie_consent_record(**(arguments | overrides))


def current(consent, lists=LISTS):
    return cookie_choice_current(
        cookie_value=cookie_consent_cookie_value(consent=consent), cookie_lists=lists
    )


def test_a_choice_is_recorded_with_a_random_id_the_policy_version_and_no_ip():
    first, second = record(), record()
    assert len(first.consent_id) == 32 and first.consent_id != second.consent_id
    found = cookie_consent_find(consent_id=first.consent_id)
    assert found == first
    assert (found.user, found.action, found.analytics, found.social_media) == (None, "choice", True, False)
    assert found.policy_version == "cookies/nl/v1"
    assert found.cookie_lists == {"analytics": ["_ga", "_ga_TEST123"], "social_media": []}
    assert found.via == "banner"
    names = {field.name for field in CookieConsent._meta.get_fields()}
    assert not {name for name in names if "ip" in name.split("_") or "agent" in name}, names


def test_the_user_is_kept_when_logged_in():
    user = UserFactory()
    consent = record(user=user)
    assert cookie_consent_find(consent_id=consent.consent_id).user == user
    later = record(user=user, choices={"analytics": False, "social_media": False})
    record()  # anonymous: nobody's
    assert list(cookie_consents_for_user(user=user)) == [later, consent]


def test_refusing_an_accepted_category_is_a_withdrawal():
    accepted = record(choices={"analytics": True, "social_media": True})
    less = record(
        choices={"analytics": False, "social_media": True}, previous=current(accepted), via="settings"
    )
    assert less.action == CookieConsent.Action.WITHDRAWAL
    more = record(choices={"analytics": True, "social_media": True}, previous=current(less))
    assert more.action == CookieConsent.Action.CHOICE


def test_withdraw_refuses_every_category_and_says_so():
    accepted = record(choices={"analytics": True, "social_media": True})
    withdrawal = cookie_consent_withdraw(
        user=Anonymous(),
        cookie_lists=LISTS,
        policy_version="cookies/nl/v2",
        via="footer",
        previous=current(accepted),
    )
    assert (withdrawal.action, withdrawal.analytics, withdrawal.social_media) == ("withdrawal", False, False)
    assert withdrawal.policy_version == "cookies/nl/v2"
    assert current(withdrawal).accepted == frozenset()
    assert CookieConsent.objects.count() == 2  # the consent stays on record next to its withdrawal


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"cookie_lists": {}, "choices": {}}, "cookie_nothing_to_choose"),
        ({"choices": {"analytics": True}}, "cookie_choice_categories"),
        ({"choices": {"analytics": True, "social_media": False, "ads": True}}, "cookie_choice_categories"),
        (
            {"cookie_lists": {"ads": ["x"]}, "choices": {"ads": True}},
            "cookie_choice_categories",
        ),
        ({"policy_version": ""}, "cookie_no_policy"),
    ],
)
def test_a_choice_that_does_not_fit_the_offer_is_refused(overrides, code):
    with pytest.raises(CookieChoiceRefused) as refused:
        record(**overrides)
    assert refused.value.code == code and refused.value.kind == "invalid"
    assert not CookieConsent.objects.exists()


def test_the_cookie_names_the_choice_in_force():
    consent = record()
    choice = current(consent)
    assert choice.consent_id == consent.consent_id
    assert choice.analytics and not choice.social_media
    assert choice.at == consent.at.replace(microsecond=0)


def test_no_cookie_or_a_tampered_one_is_no_choice():
    value = cookie_consent_cookie_value(consent=record())
    assert cookie_choice_current(cookie_value=None, cookie_lists=LISTS) is None
    assert cookie_choice_current(cookie_value="", cookie_lists=LISTS) is None
    assert cookie_choice_current(cookie_value=value[:-2] + "xx", cookie_lists=LISTS) is None
    assert cookie_choice_current(cookie_value="not-signed", cookie_lists=LISTS) is None


def test_a_choice_holds_six_months(settings):
    consent = record()
    settings.CLOCK_SHIFT = timedelta(days=181)
    assert current(consent) is not None
    settings.CLOCK_SHIFT = timedelta(days=183)
    assert current(consent) is None


def test_a_changed_cookie_list_asks_again():
    consent = record()
    assert current(consent, {"social_media": [], "analytics": ["_ga_TEST123", "_ga"]}) is not None  # same set
    assert current(consent, {"analytics": ["_ga", "_ga_OTHER"], "social_media": []}) is None
    assert current(consent, {"analytics": ["_ga", "_ga_TEST123"], "social_media": ["li_at"]}) is None
    assert current(consent, {}) is None  # nothing offered any more
    assert cookie_lists_fingerprints(LISTS) != cookie_lists_fingerprints(
        {"analytics": [], "social_media": []}
    )


def test_the_dpo_finds_a_record_by_its_code_in_admin(client, staff_user, admin_login):
    wanted, other = record(), record(choices={"analytics": False, "social_media": False})
    admin_login(client, staff_user("dpo"))
    page = client.get(reverse("admin:consents_cookieconsent_changelist"), {"q": wanted.consent_id})
    assert page.status_code == 200
    assert wanted.consent_id in page.text and other.consent_id not in page.text
    detail = client.get(reverse("admin:consents_cookieconsent_change", args=[wanted.pk]))
    assert "cookies/nl/v1" in detail.text and "_ga_TEST123" in detail.text
    assert client.post(reverse("admin:consents_cookieconsent_delete", args=[wanted.pk])).status_code == 403
