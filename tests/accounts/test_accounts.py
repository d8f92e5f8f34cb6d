"""Sign-up, email verification, login, profile — through the real views and the real database."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Profile, User
from tests.factories import DEFAULT_PASSWORD, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "email": "Els.Janssens@Example.be",
    "password1": "zonnepaneel-2026!",
    "password2": "zonnepaneel-2026!",
    "first_name": "Els",
    "last_name": "Janssens",
    "street": "Stationsstraat",
    "house_number": "4",
    "box": "B2",
    "postal_code": "2800",
    "municipality": "Mechelen",
    "country": "BE",
    "phone": "0470 12 34 56",
}


def _link_in(message) -> str:
    match = re.search(r"http://\S+", message.body)
    assert match, message.body
    return match.group(0).replace("http://127.0.0.1:8000", "")


def test_sign_up_verify_login_and_edit_profile(client):
    response = client.post(reverse("accounts:sign_up"), SIGN_UP, follow=True)
    # Post/Redirect/Get: reloading the page that follows does not send the form again.
    assert response.redirect_chain == [(reverse("accounts:sign_up_done"), 302)]
    assert "Bevestig je e-mailadres" in response.text and SIGN_UP["email"] in response.text

    user = User.objects.get(email__iexact="els.janssens@example.be")
    assert not user.email_verified
    assert user.password.startswith("argon2")
    assert user.profile.phone == "+32470123456"  # stored in E.164
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Els.Janssens@example.be"]  # domain normalised

    # Before verification, login is refused with a clear message and a fresh link.
    response = client.post(
        reverse("accounts:login"), {"email": "els.janssens@example.be", "password": SIGN_UP["password1"]}
    )
    assert response.status_code == 400
    assert "Bevestig eerst je e-mailadres" in response.text
    assert len(mail.outbox) == 2

    response = client.get(_link_in(mail.outbox[0]))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_verified

    # Login by email is case-insensitive.
    response = client.post(
        reverse("accounts:login"), {"email": "ELS.JANSSENS@example.be", "password": SIGN_UP["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200

    response = client.post(
        reverse("accounts:profile"),
        {
            **SIGN_UP,
            "email": user.email,
            "street": "Nieuwstraat",
            "house_number": "10",
            "phone": "+32 9 233 45 67",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.street, profile.house_number, profile.phone) == ("Nieuwstraat", "10", "+3292334567")
    assert "Nieuwstraat" in client.get(reverse("accounts:profile")).text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "Geef een geldig telefoonnummer"),
        ("phone", "+32 470 12", "Geef een geldig telefoonnummer"),
        ("postal_code", "900", "Een Belgische postcode bestaat uit 4 cijfers"),
        ("postal_code", "ABCD", "Een Belgische postcode bestaat uit 4 cijfers"),
        ("email", "niet-een-adres", "Voer een geldig e-mailadres in"),
        ("password2", "iets-anders-123", "De twee wachtwoorden zijn niet gelijk"),
    ],
)
def test_sign_up_rejects_bad_input_with_a_message(client, field, value, message):
    response = client.post(reverse("accounts:sign_up"), {**SIGN_UP, field: value})
    assert response.status_code == 400
    assert message in response.text
    assert not User.objects.exists()
    assert mail.outbox == []


def test_messages_in_english(client):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:sign_up"), {**SIGN_UP, "postal_code": "12"})
    assert response.status_code == 400
    assert "A Belgian postal code has 4 digits" in response.text


def test_sign_up_with_a_known_address_reveals_nothing_and_mails_the_owner(client):
    owner = ProfileFactory(user__email="els.janssens@example.be").user
    password_before = owner.password
    response = client.post(reverse("accounts:sign_up"), SIGN_UP, follow=True)  # same address, other case
    # The stranger sees exactly what a new sign-up sees...
    assert response.redirect_chain == [(reverse("accounts:sign_up_done"), 302)]
    assert "Bevestig je e-mailadres" in response.text
    # ...but nothing is created or changed, and the owner is told by mail.
    assert User.objects.count() == 1
    owner.refresh_from_db()
    assert owner.password == password_before
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["els.janssens@example.be"]
    assert "/accounts/wachtwoord/vergeten/" in mail.outbox[0].body


def test_profile_rejects_bad_phone_and_postal_code(client):
    profile = ProfileFactory()
    client.force_login(profile.user)
    response = client.post(
        reverse("accounts:profile"),
        {**SIGN_UP, "email": profile.user.email, "phone": "abc", "postal_code": "12345"},
    )
    assert response.status_code == 400
    assert "Geef een geldig telefoonnummer" in response.text
    assert "Een Belgische postcode bestaat uit 4 cijfers" in response.text
    profile.refresh_from_db()
    assert profile.phone == "+32470123456"


def test_anonymous_profile_redirects_to_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("home")).status_code == 302


def test_user_a_cannot_read_or_change_user_b(client):
    a = ProfileFactory(first_name="Anna", street="Astraat")
    b = ProfileFactory(first_name="Bert", street="Bstraat", user__email="bert@example.be")
    client.force_login(a.user)
    page = client.get(reverse("accounts:profile"), {"user": b.user.pk, "id": b.pk}).text
    assert "Astraat" in page and "Bstraat" not in page and "bert@example.be" not in page
    # A forged id in the form changes only the logged-in user's own profile.
    client.post(
        reverse("accounts:profile"),
        {**SIGN_UP, "email": a.user.email, "user": b.user.pk, "id": b.pk, "street": "Gehackt"},
    )
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.street == "Bstraat"
    assert a.street == "Gehackt"
    # Nor can a homeowner reach the admin.
    assert client.get(reverse("admin:accounts_user_change", args=[b.user.pk])).status_code == 302


def test_failed_logins_lock_one_ip_but_not_another(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    profile = ProfileFactory(user__email="slot@example.be")
    url = reverse("accounts:login")
    for _ in range(3):
        r = client.post(url, {"email": "slot@example.be", "password": "fout"}, REMOTE_ADDR="10.0.0.1")
        assert r.status_code == 400
    # Locked from this IP, even with the right password.
    r = client.post(url, {"email": "slot@example.be", "password": DEFAULT_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 429
    assert "Te veel mislukte pogingen" in r.text
    # The owner, from another IP, still gets in.
    r = client.post(url, {"email": "slot@example.be", "password": DEFAULT_PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert r.status_code == 302
    assert int(client.session["_auth_user_id"]) == profile.user.pk


def test_password_reset_flow(client):
    profile = ProfileFactory(user__email="reset@example.be")
    r = client.post(reverse("accounts:password_reset"), {"email": "RESET@example.be"})
    assert r.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://127.0.0.1:8000(\S+)", mail.outbox[0].body).group(1)
    r = client.get(link, follow=True)
    form_url = r.redirect_chain[-1][0]
    r = client.post(
        form_url, {"new_password1": "nieuw-wachtwoord-77", "new_password2": "nieuw-wachtwoord-77"}
    )
    assert r.status_code == 302
    r = client.post(
        reverse("accounts:login"), {"email": "reset@example.be", "password": "nieuw-wachtwoord-77"}
    )
    assert r.status_code == 302
    profile.user.refresh_from_db()
    assert profile.user.check_password("nieuw-wachtwoord-77")


def test_logout_is_a_post(client):
    profile = ProfileFactory()
    client.force_login(profile.user)
    # A GET (a link, an <img src>, a prefetch) does not log anyone out.
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert "_auth_user_id" in client.session
    # The POST of the layout's "Afmelden" form does.
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    profile_page = client.get(reverse("accounts:profile"))
    assert profile_page.status_code == 302
    assert profile_page["Location"].startswith(reverse("accounts:login"))


def test_staff_roles_exist_with_least_privilege():
    from django.contrib.auth.models import Group

    support = set(Group.objects.get(name="support").permissions.values_list("codename", flat=True))
    dpo = set(Group.objects.get(name="dpo").permissions.values_list("codename", flat=True))
    assert {"view_user", "change_profile"} <= support
    # Support never deletes people (nor their meters or mandates); erasure is the DPO's workflow.
    assert not {"delete_user", "delete_profile", "delete_meter", "delete_mandate"} & support
    assert {"view_user", "view_profile"} <= dpo


@pytest.mark.django_db
def test_the_password_reset_link_uses_site_url_never_the_request_host(client, settings):
    """A forged Host header (host-header poisoning) must not end up in the link that is mailed."""
    settings.ALLOWED_HOSTS = ["*"]  # even a permissive host list
    settings.SITE_URL = "https://ilusmart.ilumen.be"
    UserFactory(email="els@example.be")
    client.post(reverse("accounts:password_reset"), {"email": "els@example.be"}, HTTP_HOST="evil.example")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "https://ilusmart.ilumen.be/" in body
    assert "evil.example" not in body


def test_the_page_after_sign_up_is_a_get_and_needs_a_sign_up(client):
    assert client.get(reverse("accounts:sign_up_done"))["Location"] == reverse("accounts:sign_up")
    client.post(reverse("accounts:sign_up"), SIGN_UP)
    again = client.get(reverse("accounts:sign_up_done"))  # a reload: same page, no second mail
    assert again.status_code == 200 and SIGN_UP["email"] in again.text
    assert len(mail.outbox) == 1


def _phone_examples(text: str) -> list[str]:
    """The phone numbers a hint or message gives as examples ("bv. 0470 12 34 56 of …")."""
    return [m.strip() for m in re.findall(r"(\+?[0-9][0-9 ]{7,}[0-9])", text)]


def test_the_phone_hints_examples_validate(client):
    from accounts.forms import SignUpForm
    from accounts.validators import phone_normalize

    help_text = str(SignUpForm().fields["phone"].help_text)
    response = client.post(reverse("accounts:sign_up"), {**SIGN_UP, "phone": "12345"})
    message = re.search(r"Geef een geldig telefoonnummer[^<]*", response.text).group(0)
    examples = _phone_examples(help_text) + _phone_examples(message)
    assert len(examples) >= 4, (help_text, message)
    for example in examples:
        assert phone_normalize(example).startswith("+32"), example


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0470 12 34 56", "+32470123456"),
        ("0470/12.34.56", "+32470123456"),
        ("0470.12.34.56", "+32470123456"),
        ("0470123456", "+32470123456"),
        ("+32 470 12 34 56", "+32470123456"),
        ("+32 (0)470 12 34 56", "+32470123456"),
        ("0032 470 12 34 56", "+32470123456"),
        ("0032470123456", "+32470123456"),
        ("09 223 45 67", "+3292234567"),
        ("09/223.45.67", "+3292234567"),
        ("09 / 223 45 67", "+3292234567"),
        ("+32 9 223 45 67", "+3292234567"),
        ("0032 (0)9 223 45 67", "+3292234567"),
        ("02 512 34 56", "+3225123456"),
        ("03-231 45 67", "+3232314567"),
        ("050 12 34 56", "+3250123456"),
        ("011 12 34 56", "+3211123456"),
    ],
)
def test_belgian_numbers_in_the_spellings_people_type(typed, stored):
    from accounts.validators import phone_normalize

    assert phone_normalize(typed) == stored
