"""How long a login lasts (accounts/services/sessions.py) and a superuser ending someone's sessions."""

import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.services.sessions import LOGIN_AT, SEEN_AT
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

MINUTE, HOUR, DAY = 60, 3600, 86400


def backdate(client, *, login_ago: float, seen_ago: float):
    """Make the session look as if it began ``login_ago`` and was last used ``seen_ago`` seconds ago."""
    session = client.session
    now = time.time()
    session[LOGIN_AT] = now - login_ago
    session[SEEN_AT] = now - seen_ago
    session.save()


def still_logged_in(client, url):
    response = client.get(url)
    return response.status_code == 200


@pytest.mark.parametrize(
    ("login_ago", "seen_ago", "alive"),
    [
        (10 * MINUTE, 29 * MINUTE, True),
        (40 * MINUTE, 31 * MINUTE, False),  # 30 minutes idle
        (7 * HOUR + 50 * MINUTE, 5 * MINUTE, True),
        (8 * HOUR + 1, 1 * MINUTE, False),  # 8 hours in all, however busy
    ],
)
def test_staff_sessions_end_after_30_minutes_idle_or_8_hours(
    client, admin_login, staff_user, login_ago, seen_ago, alive
):
    admin_login(client, staff_user("support"))
    assert still_logged_in(client, reverse("admin:index"))
    backdate(client, login_ago=login_ago, seen_ago=seen_ago)
    response = client.get(reverse("admin:index"))
    assert (response.status_code == 200) is alive
    if not alive:
        assert response["Location"].startswith(reverse("admin:login"))
        assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("login_ago", "seen_ago", "alive"),
    [
        (3 * DAY, 6 * DAY + 23 * HOUR, True),
        (8 * DAY, 7 * DAY + 1, False),  # 7 days idle
        (13 * DAY + 23 * HOUR, 1 * HOUR, True),
        (14 * DAY + 1, 1 * MINUTE, False),  # two weeks in all
    ],
)
def test_homeowner_sessions_end_after_7_days_idle_or_2_weeks(client, login_ago, seen_ago, alive):
    client.force_login(ProfileFactory().user)
    assert still_logged_in(client, reverse("accounts:profile"))
    backdate(client, login_ago=login_ago, seen_ago=seen_ago)
    response = client.get(reverse("accounts:profile"))
    assert (response.status_code == 200) is alive
    if not alive:
        assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_session_cookie_expires_with_the_idle_limit(client, admin_login, staff_user):
    admin_login(client, staff_user("support"))
    client.get(reverse("admin:index"))
    assert 0 < client.session.get_expiry_age() <= 30 * MINUTE


def test_a_superuser_ends_all_sessions_of_a_user(client, admin_login, staff_user, django_user_model):
    homeowner = ProfileFactory().user
    colleague = staff_user("support")
    phone, laptop, colleague_browser = Client(), Client(), Client()
    phone.force_login(homeowner)
    laptop.force_login(homeowner)
    admin_login(colleague_browser, colleague)
    for browser, url in (
        (phone, "accounts:profile"),
        (laptop, "accounts:profile"),
        (colleague_browser, "admin:index"),
    ):
        assert still_logged_in(browser, reverse(url))

    admin_login(client, staff_user("superuser"))
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [homeowner.pk, colleague.pk]},
    )
    assert response.status_code == 302
    for browser, url in (
        (phone, "accounts:profile"),
        (laptop, "accounts:profile"),
        (colleague_browser, "admin:index"),
    ):
        assert not still_logged_in(browser, reverse(url))
    # A new login afterwards works as usual.
    phone.force_login(homeowner)
    assert still_logged_in(phone, reverse("accounts:profile"))
    # The superuser's own session was not touched.
    assert still_logged_in(client, reverse("admin:index"))


def test_support_cannot_end_sessions_or_reset_a_second_factor(client, admin_login, staff_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    homeowner = ProfileFactory().user
    other = staff_user("support")
    other_browser = admin_login(Client(), other)
    admin_login(client, staff_user("support"))
    for action in ("end_sessions", "reset_second_factor"):
        client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": action, "_selected_action": [homeowner.pk, other.pk]},
        )
    homeowner.refresh_from_db()
    other.refresh_from_db()
    assert homeowner.sessions_ended_at is None and other.sessions_ended_at is None
    assert TOTPDevice.objects.filter(user=other, confirmed=True).exists()
    assert still_logged_in(other_browser, reverse("admin:index"))
    assert Group.objects.get(name="support") in other.groups.all()
