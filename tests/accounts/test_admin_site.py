"""The staff admin (accounts/admin_site.py, accounts/middleware.py): its path, its name in both
languages, and the second factor every staff user passes before any admin page."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DEFAULT_PASSWORD, ProfileFactory

pytestmark = pytest.mark.django_db


def password_login(client, user):
    response = client.post(
        reverse("admin:login"),
        {"username": user.email, "password": DEFAULT_PASSWORD, "next": reverse("admin:index")},
    )
    assert response.status_code == 302
    return response


def some_admin_pages(user_pk):
    return [
        reverse("admin:index"),
        reverse("admin:app_list", args=["accounts"]),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[user_pk]),
        reverse("admin:auth_user_password_change", args=[user_pk]),
        reverse("admin:meters_meter_changelist"),
        reverse("admin:password_change"),
        reverse("home"),
        reverse("accounts:profile"),
    ]


def test_the_admin_lives_at_admin_url_not_at_admin(client):
    assert reverse("admin:index") == "/beheer/"
    assert client.get("/admin/").status_code == 404


@pytest.mark.parametrize("role", ["support", "dpo", "superuser"])
def test_staff_without_a_device_is_led_through_enrolment_and_sees_nothing_else(
    client, staff_user, totp_code, settings, role
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code is retried at once here (throttling: below)
    user = staff_user(role)
    customer = ProfileFactory().user
    password_login(client, user)
    enrol = reverse("admin:second_factor_enrol")
    for url in some_admin_pages(customer.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(enrol), url
    page = client.get(enrol)
    assert page.status_code == 200
    # The QR code is an image made on the server: an SVG data URI, no script of its own.
    assert re.search(r'<img src="data:image/svg\+xml', page.text)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert customer.email not in page.text
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert (
        client.post(enrol, {"token": "000000" if totp_code(device) != "000000" else "111111"}).status_code
        == 400
    )
    assert client.get(reverse("admin:index")).status_code == 302
    done = client.post(enrol, {"token": totp_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", done.text)
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_with_a_device_must_give_a_code_in_each_new_session(client, staff_user, totp_code):
    user = staff_user("support")
    device = TOTPDevice.objects.create(user=user, name="telefoon", confirmed=True)
    password_login(client, user)
    verify = reverse("admin:second_factor_verify")
    for url in some_admin_pages(user.pk):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(verify), url
    # Enrolling a second, attacker-held device is not possible once one is confirmed.
    assert client.get(reverse("admin:second_factor_enrol"))["Location"] == verify
    assert client.post(verify, {"token": "12345"}).status_code == 400
    assert client.get(reverse("admin:index")).status_code == 302
    response = client.post(
        verify, {"token": totp_code(device), "next": reverse("admin:accounts_user_changelist")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_user_changelist")
    assert client.get(reverse("admin:index")).status_code == 200


def test_wrong_codes_are_throttled(client, staff_user, totp_code):
    user = staff_user("support")
    device = TOTPDevice.objects.create(user=user, name="telefoon", confirmed=True)
    password_login(client, user)
    verify = reverse("admin:second_factor_verify")
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    assert client.post(verify, {"token": wrong}).status_code == 400
    # Right after a wrong code even the right one is refused (django-otp's doubling delay).
    assert client.post(verify, {"token": totp_code(device)}).status_code == 400
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_recovery_code_works_once(client, staff_user):
    from accounts.services.second_factor import recovery_codes_issue

    user = staff_user("dpo")
    TOTPDevice.objects.create(user=user, name="telefoon", confirmed=True)
    codes = recovery_codes_issue(user=user)
    password_login(client, user)
    verify = reverse("admin:second_factor_verify")
    assert client.post(verify, {"token": codes[3]}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.post(reverse("admin:logout"))
    password_login(client, user)
    assert client.post(verify, {"token": codes[3]}).status_code == 400
    assert client.get(reverse("admin:index")).status_code == 302


def test_an_open_redirect_through_next_is_refused(client, staff_user, totp_code):
    user = staff_user("support")
    device = TOTPDevice.objects.create(user=user, name="telefoon", confirmed=True)
    password_login(client, user)
    response = client.post(
        reverse("admin:second_factor_verify"), {"token": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("admin:index")


def test_a_homeowner_never_reaches_the_second_factor_pages(client):
    homeowner = ProfileFactory().user
    client.force_login(homeowner)
    for name in ("admin:second_factor_verify", "admin:second_factor_enrol", "admin:index"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not TOTPDevice.objects.filter(user=homeowner).exists()


@pytest.mark.parametrize(
    ("language", "expected", "forbidden"),
    [
        (
            "nl-be",
            ["iLusmart-beheer", "Klanten en medewerkers", "Meters en metingen", "Gebruikers"],
            ["Django"],
        ),
        (
            "en",
            ["iLusmart administration", "Customers and staff", "Meters and readings"],
            ["Django", "Accounts"],
        ),
    ],
)
def test_the_admin_is_named_ilusmart_in_dutch_and_english(
    client, admin_login, staff_user, language, expected, forbidden
):
    admin_login(client, staff_user("superuser"))
    client.cookies["django_language"] = language
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    for text in expected:
        assert text in page.text, text
    for text in forbidden:
        assert text not in page.text, text
    for app in admin.site.get_app_list(page.wsgi_request):
        assert app["name"] != app["app_label"].title(), f"{app['app_label']} has no verbose name"
