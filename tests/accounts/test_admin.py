"""The user admin (accounts/admin.py) tried as an attacker with a ``support`` account would.

Support may correct a customer's profile; it may never change anyone's permissions, staff
status, password or email address, nor touch staff accounts at all, whatever it POSTs: through
the change form, the password-change URL, the add form or a bulk action. A superuser may.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, ProfileFactory
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "overgenomen-2026!"


@pytest.fixture
def support(staff_user):
    return staff_user("support", email="support@ilumen.be")


@pytest.fixture
def homeowner():
    return ProfileFactory(user__email="klant@example.be", phone="+32470123456").user


def escalation(user_pks=()):
    """Every field an attacker would add to a POST on a user's change form."""
    groups = [str(g.pk) for g in Group.objects.all()]
    perms = [str(p.pk) for p in Permission.objects.filter(codename__in=["change_user", "delete_user"])]
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "is_active": "on",
        "groups": groups,
        "user_permissions": perms,
        "email": "aanvaller@example.be",
        "pending_email": "aanvaller@example.be",
        "password": "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "usable_password": "true",
    }


def snapshot(user):
    user = User.objects.get(pk=user.pk)
    return {
        "is_superuser": user.is_superuser,
        "is_staff": user.is_staff,
        "is_active": user.is_active,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "perms": sorted(user.user_permissions.values_list("codename", flat=True)),
        "email": user.email,
        "password": user.password,
    }


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def test_support_edits_a_customers_profile_but_no_escalation_field(client, admin_login, support, homeowner):
    admin_login(client, support)
    page = client.get(change_url(homeowner))
    assert page.status_code == 200
    data = form_data(page.text, "user_form")
    data["profile-0-phone"] = ["0471 99 88 77"]
    before = snapshot(homeowner)
    response = client.post(change_url(homeowner), {**data, **escalation()})
    assert response.status_code == 302, response.text[:2000]
    assert snapshot(homeowner) == before
    homeowner.profile.refresh_from_db()
    assert homeowner.profile.phone == "0471 99 88 77"  # the legitimate edit went through
    # The page does not even offer the fields.
    for field in ("is_superuser", "is_staff", "groups", "user_permissions", 'name="email"', "password/"):
        assert field not in page.text.split('id="user_form"')[1], field


@pytest.mark.parametrize("target_role", ["self", "support", "dpo", "superuser"])
def test_support_cannot_touch_staff_accounts_whatever_it_posts(
    client, admin_login, staff_user, support, homeowner, target_role
):
    target = support if target_role == "self" else staff_user(target_role)
    admin_login(client, support)
    before = snapshot(target)
    assert client.get(change_url(target)).status_code in {302, 403, 404}
    client.post(change_url(target), escalation())
    assert snapshot(target) == before
    # Nor can support use a homeowner's form to reach them (the inline is for the profile only).
    data = form_data(client.get(change_url(homeowner)).text, "user_form")
    client.post(change_url(homeowner), {**data, "profile-0-user": str(target.pk), **escalation()})
    assert snapshot(target) == before


@pytest.mark.parametrize("target_role", ["homeowner", "self", "superuser"])
def test_support_cannot_set_a_password_through_the_password_url(
    client, admin_login, staff_user, support, homeowner, target_role
):
    target = {"homeowner": homeowner, "self": support, "superuser": None}[target_role] or staff_user(
        "superuser"
    )
    admin_login(client, support)
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    assert client.get(url).status_code in {403, 404}
    before = snapshot(target)
    client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert snapshot(target) == before
    assert User.objects.get(pk=target.pk).check_password(DEFAULT_PASSWORD)


def test_support_cannot_add_users(client, admin_login, support):
    admin_login(client, support)
    url = reverse("admin:accounts_user_add")
    assert client.get(url).status_code == 403
    client.post(
        url,
        {"email": "nieuw@example.be", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **escalation()},
    )
    assert not User.objects.filter(email__in=["nieuw@example.be", "aanvaller@example.be"]).exists()


def test_support_gets_no_bulk_action_on_users(client, admin_login, staff_user, support, homeowner):
    superuser = staff_user("superuser")
    admin_login(client, support)
    page = client.get(reverse("admin:accounts_user_changelist"))
    assert page.status_code == 200
    assert 'name="action"' not in page.text
    # Staff accounts are not even listed to support.
    assert superuser.email not in page.text and homeowner.email in page.text
    before = {u.pk: snapshot(u) for u in (superuser, support, homeowner)}
    from django.contrib.admin import site

    for action in ["delete_selected", *site._registry[User].actions, "end_sessions"]:
        client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": action, "_selected_action": [superuser.pk, support.pk, homeowner.pk], "post": "yes"},
        )
    assert {u.pk: snapshot(u) for u in (superuser, support, homeowner)} == before


def test_superuser_manages_staff_and_permissions(client, admin_login, staff_user, homeowner):
    superuser = staff_user("superuser")
    admin_login(client, superuser)
    data = form_data(client.get(change_url(homeowner)).text, "user_form")
    support_group = Group.objects.get(name="support")
    response = client.post(
        change_url(homeowner), {**data, "is_staff": "on", "groups": [str(support_group.pk)]}
    )
    assert response.status_code == 302
    homeowner.refresh_from_db()
    assert homeowner.is_staff and list(homeowner.groups.all()) == [support_group]
    url = reverse("admin:auth_user_password_change", args=[homeowner.pk])
    response = client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    homeowner.refresh_from_db()
    assert homeowner.check_password(NEW_PASSWORD)
