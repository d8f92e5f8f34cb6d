"""Mijn gegevens in a real browser, on a laptop and a 375-px phone: everything held, pause and resume,
the download link (console, CSP and axe-core are checked on every page by tests/e2e/conftest.py)."""

from datetime import date

import pytest

from consents.selectors.restriction import processing_restricted
from meters.services.ingest import readings_ingest
from privacy.models import Disclosure, Partner
from privacy.services.exports import export_build, export_request
from tests.e2e.conftest import login
from tests.factories import DEFAULT_PASSWORD, MeterFactory, ProductFactory, ProfileFactory, covering_mandate
from tests.meters.values import day_values, utc

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def homeowner(settings, tmp_path):
    settings.PRIVACY_EXPORT_DIR = tmp_path / "exports"
    profile = ProfileFactory(user__email="gegevens@example.be", first_name="Katrien", last_name="Peeters")
    user = profile.user
    meter = MeterFactory(owner=user, label="Thuis", meter_id="1SAG1100042")
    ProductFactory(meter=meter, inverter_make="SMA", inverter_model="Sunny Boy 5.0", inverter_serial="SN-77")
    covering_mandate(meter, since=date(2025, 6, 1))
    readings_ingest(meter=meter, values=day_values(utc("2025-05-31T22:00"), 96, offtake={4: "0.250"}))
    partner = Partner.objects.create(
        name="Zonnedokter BV",
        kind="subcontractor",
        legal_basis="contract",
        purpose="herstelling van de omvormer",
    )
    Disclosure.objects.create(
        partner=partner, customer=user, categories=["profile", "meters"], legal_basis="contract",
        purpose=partner.purpose,
    )  # fmt: skip
    export_build(export_id=export_request(user=user).pk)
    return user


def test_my_data_at_1280_px_and_the_download(page, homeowner, screenshot):
    login(page, "gegevens@example.be", DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn gegevens").click()
    page.get_by_role("heading", level=1, name="Mijn gegevens").wait_for()
    for text in ("Katrien Peeters", "1SAG1100042", "SN-77", "Zonnedokter BV", "herstelling van de omvormer"):
        page.get_by_text(text).first.wait_for()
    assert page.evaluate(FITS)
    screenshot(page, "my-data-1280")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download je gegevens").click()
    assert download.value.suggested_filename.startswith("ilusmart-mijn-gegevens-")
    page.reload()
    page.get_by_text("gedownload").first.wait_for()


def test_my_data_on_a_375px_phone_pause_and_resume(phone_page, homeowner, screenshot):
    login(phone_page, "gegevens@example.be", DEFAULT_PASSWORD)
    phone_page.goto("/mijn-gegevens/")
    phone_page.get_by_role("heading", level=1, name="Mijn gegevens").wait_for()
    assert phone_page.evaluate(FITS)
    screenshot(phone_page, "my-data-375")

    phone_page.get_by_role("link", name="Verwerking pauzeren").click()
    phone_page.get_by_role("heading", level=1, name="Verwerking pauzeren?").wait_for()
    assert phone_page.evaluate(FITS)
    screenshot(phone_page, "my-data-pause-confirm-375")
    phone_page.get_by_label("Waarom?").fill("Ik verhuis")
    phone_page.get_by_role("button", name="Ja, pauzeer de verwerking").click()
    phone_page.get_by_text("De verwerking van je gegevens is gepauzeerd.").first.wait_for()
    assert processing_restricted(user=homeowner)
    phone_page.goto("/")
    phone_page.get_by_test_id("pause-banner").wait_for()
    assert phone_page.evaluate(FITS)
    screenshot(phone_page, "dashboard-paused-375")

    phone_page.get_by_role("link", name="Bekijken of hervatten").click()
    phone_page.get_by_role("link", name="Verwerking hervatten").click()
    phone_page.get_by_role("button", name="Ja, hervat de verwerking").click()
    phone_page.get_by_text("De verwerking van je gegevens is hervat.").wait_for()
    assert not processing_restricted(user=homeowner)
    assert phone_page.get_by_test_id("pause-banner").count() == 0
