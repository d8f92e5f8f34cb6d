"""The accounts API (accounts/api, issue 11): tokens per device, their lock-out, list, revoke and
expiry, and the profile with the profile page's validation."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import ApiToken, Profile
from ilusmart import clock
from tests.factories import DEFAULT_PASSWORD, ProfileFactory, UserFactory

WRONG = "niet-het-wachtwoord"


def _token(client, email, password, device="Pixel van An", **extra):
    return client.post(
        reverse("api:token"),
        {"email": email, "password": password, "device": device},
        content_type="application/json",
        **extra,
    )


@pytest.fixture
def an():
    return ProfileFactory(user__email="an@example.be").user


@pytest.mark.django_db
def test_a_token_is_made_per_device_stored_hashed_and_works_as_bearer(client, an):
    response = _token(client, "AN@example.be ", DEFAULT_PASSWORD)
    assert response.status_code == 201, response.content
    body = response.json()
    row = ApiToken.objects.get(pk=body["id"])
    assert row.user == an and row.device == "Pixel van An"
    assert row.digest == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in {f.value_from_object(row) for f in ApiToken._meta.fields if f.name != "user"}
    me = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200 and me.json()["email"] == "an@example.be"
    second = _token(client, "an@example.be", DEFAULT_PASSWORD, device="iPad").json()
    listed = client.get(reverse("api:tokens"), HTTP_AUTHORIZATION=f"Bearer {second['token']}").json()[
        "results"
    ]
    assert {t["device"] for t in listed} == {"Pixel van An", "iPad"}
    assert all("token" not in t for t in listed)


@pytest.mark.django_db
def test_wrong_password_unverified_and_staff_are_refused(client, an, staff_user):
    wrong = _token(client, "an@example.be", WRONG)
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "invalid_login"
    UserFactory(email="nieuw@example.be", email_verified_at=None)
    unverified = _token(client, "nieuw@example.be", DEFAULT_PASSWORD)
    assert unverified.status_code == 403 and unverified.json()["error"]["code"] == "unverified"
    staff = staff_user("support")
    staff.set_password(DEFAULT_PASSWORD)
    staff.save()
    refused = _token(client, staff.email, DEFAULT_PASSWORD)
    assert refused.status_code == 403
    assert not ApiToken.objects.exists()
    missing = client.post(reverse("api:token"), {"email": "an@example.be"}, content_type="application/json")
    assert missing.status_code == 400 and set(missing.json()["error"]["fields"]) == {"password", "device"}


@pytest.mark.django_db
def test_the_token_endpoint_shares_the_lock_out_of_every_login_path(client, an, settings, cache_keys_cleared):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert _token(client, "an@example.be", WRONG, REMOTE_ADDR="203.0.113.9").status_code == 400
    locked = _token(client, "an@example.be", DEFAULT_PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked"
    assert int(locked["Retry-After"]) > 0
    # One counter: the website's login form from the same address is locked too ...
    form = client.post(
        reverse("accounts:login"),
        {"email": "an@example.be", "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert form.status_code == 429
    # ... and failures on the form count for the API (another address, another pair).
    for _ in range(3):
        client.post(
            reverse("accounts:login"),
            {"email": "an@example.be", "password": WRONG},
            REMOTE_ADDR="198.51.100.4",
        )
    assert _token(client, "an@example.be", DEFAULT_PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 429
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_revoking_a_token_ends_it_and_another_persons_token_is_404(client, an, api_token):
    raw = api_token(an, "telefoon")
    other = api_token(an, "tablet")
    other_id = ApiToken.objects.get(device="tablet").pk
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.delete(reverse("api:token_revoke", args=[other_id]), **auth).status_code == 204
    refused = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {other}")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "authentication_failed"
    assert client.delete(reverse("api:token_revoke", args=[other_id]), **auth).status_code == 404
    stranger = api_token(UserFactory())
    stranger_id = ApiToken.objects.exclude(user=an).get().pk
    assert client.delete(reverse("api:token_revoke", args=[stranger_id]), **auth).status_code == 404
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {stranger}").status_code == 200


@pytest.mark.django_db
def test_a_token_unused_for_90_days_stops_working_and_use_keeps_it_alive(client, an, api_token):
    raw = api_token(an)
    token = ApiToken.objects.get(user=an)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now() - timedelta(days=89, hours=23))
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    token.refresh_from_db()
    assert clock.now() - token.last_used_at < timedelta(minutes=1)  # used: another 90 days
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now() - timedelta(days=90, minutes=1))
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer ilu_bestaat-niet", "Bearer ÿÿ"])
def test_malformed_or_unknown_tokens_are_401(client, header):
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_profile_changes_take_the_profile_pages_validation(client, an, bearer):
    auth = bearer(an)
    url = reverse("api:me")
    bad = client.patch(url, {"phone": "12", "postal_code": "12"}, content_type="application/json", **auth)
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"phone", "postal_code"}
    good = client.patch(
        url, {"phone": "0470 99 88 77", "first_name": "  Anna "}, content_type="application/json", **auth
    )
    assert good.status_code == 200, good.content
    profile = Profile.objects.get(user=an)
    assert (profile.phone, profile.first_name) == ("+32470998877", "Anna")  # normalised as by the form
    assert good.json()["phone"] == "+32470998877"
    ignored = client.patch(url, {"email": "ander@example.be"}, content_type="application/json", **auth)
    assert ignored.status_code == 200 and ignored.json()["email"] == "an@example.be"


@pytest.mark.django_db
def test_session_callers_need_the_csrf_token_for_writes(an):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(an)
    assert client.get(reverse("api:me")).status_code == 200
    refused = client.patch(reverse("api:me"), {"first_name": "X"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    client.get(reverse("accounts:profile"))  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    allowed = client.patch(
        reverse("api:me"), {"first_name": "Xavier"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert allowed.status_code == 200, allowed.content


@pytest.mark.django_db
def test_the_website_lists_the_apps_devices_and_logs_one_out(client, an, api_token):
    phone = api_token(an, "Pixel van An")
    api_token(an, "iPad")
    client.force_login(an)
    page = client.get(reverse("accounts:api_tokens"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pixel van An" in text and "iPad" in text and phone not in text
    assert reverse("accounts:api_tokens") in client.get(reverse("accounts:profile")).content.decode()
    pixel = ApiToken.objects.get(device="Pixel van An")
    response = client.post(reverse("accounts:api_token_revoke", args=[pixel.pk]))
    assert response.status_code == 302
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {phone}").status_code == 401
    assert list(ApiToken.objects.values_list("device", flat=True)) == ["iPad"]
    assert client.post(reverse("accounts:api_token_revoke", args=[pixel.pk])).status_code == 404


@pytest.mark.django_db
def test_a_password_change_or_reset_ends_every_token(client, an, api_token):
    import re

    from django.core import mail

    raw = api_token(an)
    client.force_login(an)
    changed = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "nieuw-wachtwoord-77",
            "new_password2": "nieuw-wachtwoord-77",
        },
    )
    assert changed.status_code == 302
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    client.logout()
    raw = api_token(an)
    client.post(reverse("accounts:password_reset"), {"email": "an@example.be"})
    link = re.search(r"http://127.0.0.1:8000(\S+)", mail.outbox[-1].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    reset = client.post(
        form_url, {"new_password1": "weer-nieuw-wachtwoord-88", "new_password2": "weer-nieuw-wachtwoord-88"}
    )
    assert reset.status_code == 302
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert not ApiToken.objects.exists()
