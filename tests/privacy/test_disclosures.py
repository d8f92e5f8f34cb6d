"""Sharing with partners (privacy/services/disclosures.py, privacy/admin_disclosures.py)."""

import csv
import io
import zipfile
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from consents.services.restriction import restriction_lift, restriction_start
from privacy.models import Disclosure, Partner
from privacy.services.disclosures import DisclosureRefused, disclosure_share

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return Partner.objects.create(
        name="Omvormers BV",
        kind="subcontractor",
        legal_basis="contract",
        purpose="herstelling van de omvormer",
    )


@pytest.fixture
def support(staff_user, admin_login):
    return admin_login(Client(), staff_user("support"))


def _csv_rows(archive, name):
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


def test_sharing_records_who_got_what_and_gives_the_partner_the_files(
    partner, person_with_everything, staff_user
):
    user, meter = person_with_everything["user"], person_with_everything["meter"]
    staff = staff_user("support")
    shared = disclosure_share(
        partner=partner,
        customer=user,
        categories=["readings", "profile", "daily"],
        period_from=date(2025, 5, 31),
        period_to=date(2025, 6, 1),
        by=staff,
    )
    record = shared.disclosure
    assert (record.partner, record.customer, record.by) == (partner, user, staff)
    assert record.categories == ["profile", "readings", "daily"]
    assert (record.period_from, record.period_to) == (date(2025, 5, 31), date(2025, 6, 1))
    assert (record.legal_basis, record.purpose) == ("contract", "herstelling van de omvormer")

    archive = zipfile.ZipFile(io.BytesIO(shared.content))
    assert sorted(archive.namelist()) == sorted(
        ["klant.csv", f"{meter.ean}-kwartieren.csv", f"{meter.ean}-dagen.csv"]
    )
    assert _csv_rows(archive, "klant.csv")[0]["last_name"] == user.profile.last_name
    days = {r["local_start"]: r["offtake_kwh"] for r in _csv_rows(archive, f"{meter.ean}-dagen.csv")}
    # 31 May was the previous occupant's: shared as missing, never their values.
    assert days == {"2025-05-31": "", "2025-06-01": "0.250"}
    assert "9.999" not in archive.read(f"{meter.ean}-kwartieren.csv").decode()


def test_a_paused_customer_is_never_shared(partner, person_with_everything, staff_user):
    user = person_with_everything["user"]
    before = Disclosure.objects.count()
    restriction_start(user=user, source="homeowner", by=user)
    with pytest.raises(DisclosureRefused) as refused:
        disclosure_share(partner=partner, customer=user, categories=["profile"], by=staff_user("support"))
    assert refused.value.kind == "forbidden" and "gepauzeerd" in refused.value.message
    assert Disclosure.objects.count() == before
    restriction_lift(user=user, by=user)
    disclosure_share(partner=partner, customer=user, categories=["profile"], by=staff_user("support"))
    assert Disclosure.objects.count() == before + 1


def test_support_shares_from_the_console_and_the_homeowner_sees_it(partner, support, client):
    from tests.factories import MeterFactory, ProfileFactory

    customer = ProfileFactory().user
    MeterFactory(owner=customer)
    console = support.get(reverse("admin:customer_detail", args=[customer.pk]))
    assert reverse("admin:customer_share", args=[customer.pk]) in console.text
    form = support.get(reverse("admin:customer_share", args=[customer.pk]))
    assert form.status_code == 200 and "Omvormers BV" in form.text
    response = support.post(
        reverse("admin:customer_share_send", args=[customer.pk]),
        {"partner": partner.pk, "categories": ["profile", "meters"]},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == ["klant.csv", "meters.csv"]
    assert Disclosure.objects.filter(customer=customer, partner=partner).count() == 1

    client.force_login(customer)
    page = client.get(reverse("privacy:my_data"))
    assert "Omvormers BV" in page.text and "herstelling van de omvormer" in page.text
    assert "uitvoering van de overeenkomst" in page.text


def test_the_console_refuses_a_paused_customer_with_a_message(partner, support):
    from tests.factories import ProfileFactory

    customer = ProfileFactory().user
    restriction_start(user=customer, source="support", by=None, reason="klacht")
    response = support.post(
        reverse("admin:customer_share_send", args=[customer.pk]),
        {"partner": partner.pk, "categories": ["profile"]},
    )
    assert response.status_code == 403
    assert "gepauzeerd" in response.text
    assert not Disclosure.objects.filter(customer=customer).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"categories": ["readings"]}, "periode"),
        ({"categories": ["daily"], "period_from": "2025-06-02", "period_to": "2025-06-01"}, "einddatum"),
        ({"categories": []}, "Dit veld is vereist"),
    ],
)
def test_wrong_input_is_refused_with_a_message_and_nothing_is_recorded(partner, support, data, message):
    from tests.factories import ProfileFactory

    customer = ProfileFactory().user
    response = support.post(
        reverse("admin:customer_share_send", args=[customer.pk]), {"partner": partner.pk, **data}
    )
    assert response.status_code == 400
    assert message in response.text
    assert not Disclosure.objects.exists()


def test_an_inactive_partner_is_not_offered_nor_accepted(partner, person_with_everything, staff_user):
    partner.active = False
    partner.save()
    with pytest.raises(DisclosureRefused):
        disclosure_share(
            partner=partner, customer=person_with_everything["user"], categories=["profile"], by=None
        )
