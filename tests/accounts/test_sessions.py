"""How long a login lasts (accounts/services/sessions.py) and a superuser ending someone's sessions."""

import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.services.sessions import LOGIN_AT, SEEN_AT
from tests.factories import DEFAULT_PASSWORD, ProfileFactory

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


# --- The homeowner's own list of sessions, "log out the others", password change (issue 8) ----

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)


def _log_in(client, user, *, user_agent, ip, password=DEFAULT_PASSWORD):
    response = client.post(
        reverse("accounts:login"),
        {"email": user.email, "password": password},
        HTTP_USER_AGENT=user_agent,
        REMOTE_ADDR=ip,
    )
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def two_browsers():
    user = ProfileFactory().user
    laptop = _log_in(Client(), user, user_agent=FIREFOX_WINDOWS, ip="203.0.113.77")
    phone = _log_in(Client(), user, user_agent=SAFARI_IPHONE, ip="2001:db8:1234:5678::9")
    return user, laptop, phone


def test_the_sessions_page_lists_each_browser_with_device_last_seen_and_a_short_address(two_browsers):
    user, laptop, phone = two_browsers
    page = laptop.get(
        reverse("accounts:sessions"), HTTP_USER_AGENT=FIREFOX_WINDOWS, REMOTE_ADDR="203.0.113.77"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Firefox · Windows" in html and "Safari · iPhone" in html
    assert "203.0.113.…" in html and "2001:db8:1234:…" in html
    assert "203.0.113.77" not in html and "5678" not in html  # the address is shortened, not shown
    assert html.count("dit toestel") == 1
    assert "no-store" in page["Cache-Control"]


def test_log_out_the_others_ends_every_other_session_and_keeps_this_one(two_browsers):
    user, laptop, phone = two_browsers
    other_user = ProfileFactory().user
    stranger = _log_in(Client(), other_user, user_agent=FIREFOX_WINDOWS, ip="198.51.100.1")

    response = laptop.post(reverse("accounts:sessions"), follow=True)
    assert "Je bent op 1 ander toestel afgemeld" in response.content.decode()
    assert phone.get(reverse("accounts:profile")).status_code == 302  # logged out
    assert laptop.get(reverse("accounts:profile")).status_code == 200
    assert "Safari · iPhone" not in laptop.get(reverse("accounts:sessions")).content.decode()
    # Another account's session is not touched, nor listed.
    assert stranger.get(reverse("accounts:profile")).status_code == 200
    assert "198.51.100" not in laptop.get(reverse("accounts:sessions")).content.decode()


def test_a_session_from_before_the_list_is_ended_too(two_browsers):
    from accounts.models import UserSession
    from accounts.services.sessions import TRACKED

    user, laptop, phone = two_browsers
    # The phone's session as it was before this change: no row, no mark.
    UserSession.objects.filter(session_key=phone.session.session_key).delete()
    session = phone.session
    del session[TRACKED]
    session.save()
    laptop.post(reverse("accounts:sessions"))
    assert phone.get(reverse("accounts:profile")).status_code == 302


def test_logging_out_removes_the_row(two_browsers):
    from accounts.models import UserSession

    user, laptop, phone = two_browsers
    assert UserSession.objects.filter(user=user).count() == 2
    phone.post(reverse("accounts:logout"))
    assert UserSession.objects.filter(user=user).count() == 1


def test_changing_the_password_needs_the_current_one_and_logs_out_the_other_devices(two_browsers):
    user, laptop, phone = two_browsers
    url = reverse("accounts:password_change")
    new = {"new_password1": "nieuw-zonnedak-2027", "new_password2": "nieuw-zonnedak-2027"}
    refused = laptop.post(url, {"old_password": "fout", **new})
    assert refused.status_code == 200 and "old_password" in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password("zonnepaneel-2026!")

    response = laptop.post(url, {"old_password": "zonnepaneel-2026!", **new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("nieuw-zonnedak-2027")
    assert laptop.get(reverse("accounts:profile")).status_code == 200
    assert phone.get(reverse("accounts:profile")).status_code == 302
    sessions_page = laptop.get(reverse("accounts:sessions")).content.decode()
    assert "Firefox" in sessions_page and "Safari" not in sessions_page


def test_password_change_is_rate_limited_per_user(two_browsers, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "password_change": {"user": 2, "ip": 100, "seconds": 3600},
    }
    user, laptop, phone = two_browsers
    url = reverse("accounts:password_change")
    for _ in range(2):
        laptop.post(url, {"old_password": "gok", "new_password1": "x", "new_password2": "x"})
    response = laptop.post(
        url,
        {
            "old_password": "zonnepaneel-2026!",
            "new_password1": "nieuw-zonnedak-2027",
            "new_password2": "nieuw-zonnedak-2027",
        },
    )
    assert response.status_code == 429
    user.refresh_from_db()
    assert user.check_password("zonnepaneel-2026!")


def test_the_pages_need_a_login():
    anonymous = Client()
    for name in ("accounts:sessions", "accounts:password_change"):
        for method in ("get", "post"):
            response = getattr(anonymous, method)(reverse(name))
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_daily_clean_up_deletes_ended_logins_and_their_rows(two_browsers):
    """A browser that never logs out leaves its session (and the row with its network and device)
    behind: the daily task deletes both once the login can no longer be alive, and nothing else."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.models import UserSession
    from accounts.tasks import sessions_cleanup

    user, laptop, phone = two_browsers
    now = timezone.now()
    # The laptop's login began more than two weeks ago (the longest a login lasts); the phone is in use.
    UserSession.objects.filter(session_key=laptop.session.session_key).update(
        created_at=now - timedelta(days=15), last_seen_at=now - timedelta(days=1)
    )
    # A session that expired in the store without a row of the list (Django's `clearsessions`).
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=now - timedelta(seconds=1))

    assert sessions_cleanup() == 1

    assert not Session.objects.filter(session_key__in=["x" * 32, laptop.session.session_key]).exists()
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        phone.session.session_key
    ]
    assert laptop.get(reverse("accounts:profile")).status_code == 302
    assert phone.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.parametrize(("days_idle", "kept"), [(6, True), (8, False)])
def test_the_clean_up_keeps_a_login_until_its_idle_time_is_over(two_browsers, days_idle, kept):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import UserSession
    from accounts.tasks import sessions_cleanup

    user, laptop, _phone = two_browsers
    UserSession.objects.filter(session_key=laptop.session.session_key).update(
        last_seen_at=timezone.now() - timedelta(days=days_idle)
    )
    sessions_cleanup()
    assert UserSession.objects.filter(session_key=laptop.session.session_key).exists() is kept


def test_the_session_clean_up_is_in_the_beat_schedule(settings):
    from ilusmart.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["sessions-cleanup-daily"]
    app.loader.import_default_modules()
    assert entry["task"] == "accounts.sessions_cleanup" and entry["task"] in app.tasks
