"""Who may do what in the staff admin: a matrix over every registered model, URL and action.

Walks ``admin.site._registry`` (and each ModelAdmin's own URLs), so a newly registered model, a
custom admin URL or a new action makes ``test_every_admin_model_and_url_has_a_design`` fail
until DESIGN (below) says who may do what with it. Roles: homeowner, support, dpo, superuser;
staff are logged in past the second factor, except in the test that proves nothing is reached
without it. Each operation is tried over HTTP, including the POSTs a role must NOT get through:
a refused POST answers 403 and leaves the object as it was.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ilusmart import clock
from tests.factories import MandateFactory, MeterFactory, ProductFactory, ProfileFactory
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db

ROLES = ("support", "dpo", "superuser")
ALL = {"view", "add", "change", "delete"}

# What each staff role may do per model (the design of issue 7: support works on customers,
# meters and products, reads mandates, sync state and imports, never deletes people, readings
# or mandates; dpo sees the data-protection side and access records; only superusers manage
# staff and permissions). Audit rows (mandates, refused fetches, CSV imports) are read-only.
DESIGN: dict[str, dict[str, set[str]]] = {
    "accounts.user": {"support": {"view", "change"}, "dpo": {"view"}, "superuser": ALL},
    "accounts.accessrecord": {"support": set(), "dpo": {"view"}, "superuser": {"view"}},
    "auth.group": {"support": set(), "dpo": set(), "superuser": ALL},
    "meters.meter": {"support": {"view", "add", "change"}, "dpo": set(), "superuser": ALL},
    "meters.product": {"support": ALL, "dpo": set(), "superuser": ALL},
    "meters.syncdeadletter": {
        "support": {"view", "change"},
        "dpo": set(),
        "superuser": {"view", "change", "delete"},
    },
    "meters.capacitytariffprice": {"support": {"view", "add", "change"}, "dpo": set(), "superuser": ALL},
    "meters.energytariff": {"support": {"view", "add", "change"}, "dpo": set(), "superuser": ALL},
    "meters.readingimport": {"support": {"view"}, "dpo": set(), "superuser": {"view"}},
    "consents.mandate": {"support": {"view"}, "dpo": {"view"}, "superuser": {"view"}},
    "consents.fetchrefusal": {"support": {"view"}, "dpo": {"view"}, "superuser": {"view"}},
    # The history of communication choices is evidence: read only; the person changes it themselves.
    "consents.communicationconsent": {"support": {"view"}, "dpo": {"view"}, "superuser": {"view"}},
    # Cookie choices and withdrawals: the proof of consent, read only (found by the visitor's code).
    "consents.cookieconsent": {"support": {"view"}, "dpo": {"view"}, "superuser": {"view"}},
    "meters.fault": {"support": {"view", "add", "change"}, "dpo": set(), "superuser": ALL},
    # Contact notes are added on the customer's page (SITE_PAGES) and kept as written.
    "meters.contactnote": {"support": {"view"}, "dpo": set(), "superuser": {"view", "delete"}},
    # Written by the worker; support and superusers read when the periodic tasks ran.
    "meters.periodictaskrun": {"support": {"view"}, "dpo": set(), "superuser": {"view"}},
    # The privacy statement and cookie policy: the DPO and superusers draft, publish (CUSTOM_URLS)
    # and delete drafts; support reads them to answer customers. A published version is read-only
    # and undeletable for everyone (tests/privacy/test_admin.py); the object tried here is a draft.
    "privacy.policydocument": {"support": {"view"}, "dpo": ALL, "superuser": ALL},
    # Campaigns (newsletters, surveys, information): support, the role that talks to customers,
    # composes drafts, sends them (CUSTOM_URLS) and exports the postal addresses of a post campaign
    # (EXTRA_ACTIONS); the DPO reads what was sent; only superusers delete, and only drafts. A
    # campaign that went out is read-only for everyone (tests/privacy/test_campaigns.py).
    "privacy.campaign": {"support": {"view", "add", "change"}, "dpo": {"view"}, "superuser": ALL},
    # The DPO's queue (issue 10): requests come from the person and are never deleted (proof of the
    # answer); the DPO and superusers read them (raw mail included) and set what and how.
    "privacy.deletionrequest": {"support": set(), "dpo": {"view", "change"}, "superuser": {"view", "change"}},
    # Proof of each erasure, written by the service only.
    "privacy.erasurereceipt": {"support": set(), "dpo": {"view"}, "superuser": {"view"}},
    # Partners and their legal basis are the DPO's; support reads them to share (SITE_PAGES).
    # Disclosures are written by the sharing service only; downloads of Mijn gegevens by the task.
    "privacy.partner": {"support": {"view"}, "dpo": ALL, "superuser": ALL},
    "privacy.disclosure": {"support": {"view"}, "dpo": {"view"}, "superuser": {"view"}},
    "privacy.dataexport": {"support": set(), "dpo": {"view"}, "superuser": {"view"}},
}
# Actions beyond delete_selected (offered exactly where "delete" is allowed), per role.
EXTRA_ACTIONS: dict[str, dict[str, set[str]]] = {
    "accounts.user": {"superuser": {"end_sessions", "reset_second_factor"}},
    "meters.fault": {"support": {"acknowledge_selected"}, "superuser": {"acknowledge_selected"}},
    "privacy.campaign": {"support": {"export_addresses"}, "superuser": {"export_addresses"}},
}
# Custom admin URLs of a ModelAdmin (URL name → roles allowed).
CUSTOM_URLS: dict[str, set[str]] = {
    "meters_meter_import_csv": {"support", "superuser"},
    "auth_user_password_change": {"superuser"},  # setting anyone's password: superusers only
    "privacy_policydocument_publish": {"dpo", "superuser"},  # a confirmation page, then the POST
    "privacy_policydocument_new_version": {"dpo", "superuser"},
    "privacy_campaign_send": {"support", "superuser"},  # a confirmation page, then the POST
    # The DPO's actions on a deletion request: a form page, then the POST (issue 10).
    "privacy_deletionrequest_execute": {"dpo", "superuser"},
    "privacy_deletionrequest_reject": {"dpo", "superuser"},
    "privacy_deletionrequest_clarify": {"dpo", "superuser"},
    "privacy_deletionrequest_override": {"dpo", "superuser"},
}
STANDARD_URLS = {"changelist", "add", "change", "delete", "history"}
# Pages of the site itself that are not a model's (registered with ``admin.site.register_pages``):
# the support console (meters/admin_customers.py). Who may, which method, and the objects in the
# URL. dpo does not get the console: the DPO reads access records and user pages instead.
SITE_PAGES: dict[str, dict] = {
    "customer_search": {"roles": {"support", "superuser"}, "method": "get", "args": ()},
    "customer_detail": {"roles": {"support", "superuser"}, "method": "get", "args": ("customer",)},
    "customer_note_add": {"roles": {"support", "superuser"}, "method": "post", "args": ("customer",)},
    "customer_mandate_link": {"roles": {"support", "superuser"}, "method": "post", "args": ("customer",)},
    "customer_meter_resync": {
        "roles": {"support", "superuser"},
        "method": "post",
        "args": ("customer", "meter"),
    },
    "customer_meter_rebuild_totals": {
        "roles": {"support", "superuser"},
        "method": "post",
        "args": ("customer", "meter"),
    },
    # The page-view log's totals per day and per page (privacy/admin.py; never an address): the
    # DPO answers for the log; support has no use for them.
    "page_view_totals": {"roles": {"dpo", "superuser"}, "method": "get", "args": ()},
    # Pausing a customer's processing and resuming it (privacy/admin_restriction.py): support and
    # the DPO alike, from the console or the customer's user page; pausing needs a reason.
    "customer_pause": {"roles": {"support", "dpo", "superuser"}, "method": "post", "args": ("customer",)},
    "customer_resume": {"roles": {"support", "dpo", "superuser"}, "method": "post", "args": ("customer",)},
    # Sharing a customer's data with a partner (privacy/admin_disclosures.py): the form, then the POST.
    "customer_share": {"roles": {"support", "superuser"}, "method": "get", "args": ("customer",)},
    "customer_share_send": {"roles": {"support", "superuser"}, "method": "post", "args": ("customer",)},
}
# Django's own pages of the site and the second factor's (accounts/admin_site.py), tried elsewhere.
STANDARD_SITE_URLS = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "jsi18n",
    "autocomplete",
    "view_on_site",
    "app_list",
    "second_factor_verify",
    "second_factor_enrol",
}


def _instance(label: str):
    """A fresh object of the model ``label``, to open, change and delete."""
    Model = apps.get_model(label)
    make = {
        "accounts.user": lambda: ProfileFactory().user,
        "accounts.accessrecord": lambda: Model.objects.create(staff_id=1, customer_id=2, what="test"),
        "auth.group": lambda: Model.objects.create(name="testgroep"),
        "meters.meter": MeterFactory,
        "meters.product": ProductFactory,
        "meters.syncdeadletter": lambda: Model.objects.create(
            meter=MeterFactory(), task="meters.x", error="boom"
        ),
        "meters.capacitytariffprice": lambda: Model.objects.create(
            price_eur_per_kw_year="60.44", valid_from=date(2020, 1, 1), valid_to=date(2020, 12, 31)
        ),
        "meters.energytariff": lambda: Model.objects.create(
            offtake_day_eur_per_kwh="0.30",
            offtake_night_eur_per_kwh="0.25",
            injection_eur_per_kwh="0.03",
            fixed_eur_per_year="120",
            valid_from=date(2020, 1, 1),
            valid_to=date(2020, 12, 31),
        ),
        "meters.readingimport": lambda: Model.objects.create(
            meter=MeterFactory(), filename="a.csv", status="imported"
        ),
        "consents.mandate": MandateFactory,
        "consents.fetchrefusal": lambda: Model.objects.create(
            ean="541448800000000017", reason="geen mandaat"
        ),
        "consents.communicationconsent": lambda: Model.objects.create(
            user=ProfileFactory().user, channel="email", topic="newsletter", opted_in=True, source="page"
        ),
        "consents.cookieconsent": lambda: Model.objects.create(
            action="choice",
            analytics=True,
            social_media=False,
            policy_version="cookies/nl/v1",
            cookie_lists={"analytics": ["_ga"], "social_media": []},
            via="banner",
        ),
        "meters.fault": lambda: Model.objects.create(
            meter=MeterFactory(), type=Model.Type.choices[0][0], started=date(2026, 7, 1)
        ),
        "meters.contactnote": lambda: Model.objects.create(
            customer=ProfileFactory().user, kind="call", text="Belde over de factuur"
        ),
        "meters.periodictaskrun": lambda: Model.objects.create(
            entry="test-entry", task="ilusmart.ping", started_at=clock.now(), outcome="success"
        ),
        "privacy.policydocument": lambda: Model.objects.create(
            kind="privacy", language="nl", title="Ontwerp", body="Een tekst in opmaak."
        ),
        "privacy.campaign": lambda: Model.objects.create(
            channel="email", topic="newsletter", subject="Ontwerp", body="Een nieuwsbrief."
        ),
        "privacy.deletionrequest": lambda: Model.objects.create(
            due_on=date(2026, 12, 30), source="mail", sender_email="iemand@example.be", sender_hash="x" * 64
        ),
        "privacy.erasurereceipt": lambda: Model.objects.create(
            uuid=uuid.uuid4(),
            subject_hash="x" * 64,
            mode="permanent",
            personal=True,
            meter=True,
            via="command",
        ),
        "privacy.partner": lambda: Model.objects.create(
            name="Zon & Co", kind="subcontractor", legal_basis="contract", purpose="herstellingen"
        ),
        "privacy.disclosure": lambda: Model.objects.create(
            partner=apps.get_model("privacy.partner").objects.create(
                name="Zus NV", kind="sister", legal_basis="contract", purpose="onderhoud"
            ),
            customer=ProfileFactory().user,
            categories=["profile"],
            legal_basis="contract",
        ),
        "privacy.dataexport": lambda: Model.objects.create(user=ProfileFactory().user),
    }
    return make[label]()


def registered() -> dict[str, admin.ModelAdmin]:
    return {model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()}


def custom_url_names(model_admin) -> set[str]:
    info = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"
    names = {p.name for p in model_admin.get_urls() if p.name}
    return {n for n in names if n.removeprefix(info + "_") not in STANDARD_URLS}


def site_page_names() -> set[str]:
    """Names of the site's own URLs that are neither Django's nor the second factor's."""
    return {p.name for p in admin.site.get_urls() if getattr(p, "name", None)} - STANDARD_SITE_URLS


def site_page_url(name: str, customer) -> str:
    objects = {"customer": customer.pk, "meter": customer.meters.first().pk}
    return reverse(f"admin:{name}", args=[objects[kind] for kind in SITE_PAGES[name]["args"]])


def a_customer():
    """A homeowner with a profile, a meter and a mandate: what the console pages open."""
    customer = ProfileFactory().user
    meter = MeterFactory(owner=customer)
    MandateFactory(user=customer, ean=meter.ean)
    return customer


def every_admin_url(obj_for) -> list[str]:
    """Every admin URL: site pages, and each model's standard and custom pages for one object."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    customer = a_customer()
    urls += [site_page_url(name, customer) for name in sorted(site_page_names())]
    for label, model_admin in registered().items():
        opts = model_admin.opts
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
        obj = obj_for(label)
        for name in STANDARD_URLS:
            args = [] if name in {"changelist", "add"} else [obj.pk]
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args))
        urls += [reverse(f"admin:{name}", args=[obj.pk]) for name in custom_url_names(model_admin)]
    return urls


def snapshot(obj):
    Model = type(obj)
    row = Model.objects.filter(pk=obj.pk).first()
    if row is None:
        return None
    state = {k: v for k, v in model_to_dict(row).items() if k != "password"}
    state["password"] = getattr(row, "password", None)
    if Model._meta.label_lower == "accounts.user":
        state["sessions_ended_at"] = row.sessions_ended_at
        state["devices"] = TOTPDevice.objects.filter(user=row).count()
    return state


@pytest.fixture
def role_client(staff_user, admin_login):
    def make(role: str, *, verified: bool = True) -> Client:
        return admin_login(Client(), staff_user(role), verified=verified)

    return make


# --- the design covers everything the admin has ---------------------------------------------------


def test_every_admin_model_and_url_has_a_design():
    missing = sorted(set(registered()) - set(DESIGN))
    assert not missing, f"registered in admin but not in DESIGN of {__file__}: {missing}"
    customs = {name for model_admin in registered().values() for name in custom_url_names(model_admin)}
    assert customs == set(CUSTOM_URLS), f"custom admin URLs without a design: {customs ^ set(CUSTOM_URLS)}"
    pages = site_page_names()
    assert pages == set(SITE_PAGES), f"admin site pages without a design: {pages ^ set(SITE_PAGES)}"
    for name, page in SITE_PAGES.items():
        assert page["roles"] <= set(ROLES), name
    for label, roles in DESIGN.items():
        assert set(roles) == set(ROLES), label
        assert "delete" not in roles["support"] or label not in {
            "accounts.user",
            "consents.mandate",
        }, "support never deletes people or mandates"


# --- each role, each model, each operation --------------------------------------------------------


def _designed_and_registered() -> list[str]:
    # A model in DESIGN but not (or no longer) in the admin has no URL to try.
    return sorted(set(DESIGN) & set(registered()))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", _designed_and_registered())
def test_role_on_model(role_client, role, label):
    client = role_client(role)
    allowed = DESIGN[label][role]
    opts = registered()[label].opts
    url = lambda name, *args: reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)  # noqa: E731

    obj = _instance(label)
    before = snapshot(obj)

    # view: the list and the object's page (read-only for a viewer) and its history
    for page in (url("changelist"), url("change", obj.pk), url("history", obj.pk)):
        status = client.get(page).status_code
        assert status == (200 if {"view", "change"} & allowed else 403), (page, status)

    # add: the form, and a POST
    count = type(obj).objects.count()
    assert client.get(url("add")).status_code == (200 if "add" in allowed else 403)
    response = client.post(url("add"), {})
    if "add" in allowed:
        assert response.status_code in {200, 302}
    else:
        assert response.status_code == 403
        assert type(obj).objects.count() == count

    # change: a POST of the page's own form (or nothing) must be refused without the right
    page = client.get(url("change", obj.pk))
    data = form_data(page.text, f"{opts.model_name}_form") if page.status_code == 200 else {}
    response = client.post(url("change", obj.pk), data)
    if "change" in allowed:
        assert response.status_code in {200, 302}
    else:
        assert response.status_code == 403, response.status_code
        assert snapshot(obj) == before

    # delete: the confirmation page, and the confirming POST
    assert client.get(url("delete", obj.pk)).status_code == (200 if "delete" in allowed else 403)
    response = client.post(url("delete", obj.pk), {"post": "yes"})
    if "delete" in allowed:
        assert response.status_code == 302 and snapshot(obj) is None
    else:
        assert response.status_code == 403
        assert snapshot(obj) is not None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", _designed_and_registered())
def test_role_actions_on_model(role_client, role, label):
    """The actions a role is offered are the designed ones; posting any other changes nothing."""
    client = role_client(role)
    opts = registered()[label].opts
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    obj = _instance(label)
    allowed = DESIGN[label][role]
    expected = ({"delete_selected"} if "delete" in allowed else set()) | EXTRA_ACTIONS.get(label, {}).get(
        role, set()
    )
    page = client.get(changelist)
    offered = (
        set(form_data(page.text, "changelist-form").get("action", [])) if page.status_code == 200 else set()
    )
    offered |= set(_options(page.text, "action")) if page.status_code == 200 else set()
    offered.discard("")
    assert offered == expected

    every_action = {"delete_selected"} | {a for m in registered().values() for a in (m.actions or [])}
    before = snapshot(obj)
    for action in sorted(every_action - expected):
        client.post(changelist, {"action": action, "_selected_action": [obj.pk], "post": "yes", "index": 0})
        assert snapshot(obj) == before, (action, role)


def _options(html: str, select_name: str) -> list[str]:
    import re

    match = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)"', match.group(1)) if match else []


@pytest.mark.parametrize("role", ROLES)
def test_role_on_custom_admin_urls(role_client, role):
    client = role_client(role)
    for name, roles in CUSTOM_URLS.items():
        label = next(label for label, m in registered().items() if name in custom_url_names(m))
        obj = _instance(label)
        status = client.get(reverse(f"admin:{name}", args=[obj.pk])).status_code
        assert status == (200 if role in roles else 403), (name, status)


@pytest.mark.parametrize("role", ROLES)
def test_role_on_site_pages(role_client, role):
    """Each page of the console: allowed roles get it (an action page only by POST), the others
    get 403 for GET and POST alike, and a refused POST leaves no note, mail or access record."""
    from django.core import mail

    from accounts.models import AccessRecord
    from meters.models import ContactNote

    client = role_client(role)
    customer = a_customer()
    for name, page in sorted(SITE_PAGES.items()):
        url = site_page_url(name, customer)
        allowed = role in page["roles"]
        before = (ContactNote.objects.count(), len(mail.outbox), AccessRecord.objects.count())
        get = client.get(url).status_code
        post = client.post(url, {}).status_code
        if not allowed:
            assert (get, post) == (403, 403), (name, get, post)
            assert (ContactNote.objects.count(), len(mail.outbox), AccessRecord.objects.count()) == before, (
                name
            )
        elif page["method"] == "get":
            assert (get, post) == (200, 405), (name, get, post)
        else:
            # An empty POST is refused as bad input (400) or done (302); never 403 or 500.
            assert get == 405 and post in {302, 400}, (name, get, post)


# --- nobody without the second factor, no homeowner ----------------------------------------------


@pytest.mark.parametrize("who", ["homeowner", "support-unverified", "dpo-unverified", "superuser-unverified"])
def test_no_admin_page_without_staff_and_a_second_factor(role_client, who):
    objects: dict[str, object] = {}

    def obj_for(label):
        return objects.setdefault(label, _instance(label))

    if who == "homeowner":
        client = Client()
        client.force_login(ProfileFactory().user)
        target = reverse("admin:login")
    else:
        client = role_client(who.split("-")[0], verified=False)
        target = reverse("admin:second_factor_enrol")
    for url in every_admin_url(obj_for):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (who, url, response.status_code)
            assert response["Location"].startswith(target), (who, url, response["Location"])
