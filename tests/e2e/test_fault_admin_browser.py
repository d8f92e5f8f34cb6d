"""Support follows a fault up in a real browser: password and TOTP code, the fault queue, search by
the last digits of the EAN, open the fault, take it up, add a contact note; and the homeowner sees
it on the dashboard. Screenshots of each step (test-artifacts/screenshots/fault-*.png); checked
for CSP violations and console errors like every browser test (tests/e2e/conftest.py)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ilusmart import clock
from meters.models import Fault, FaultNote
from tests.e2e.conftest import login
from tests.factories import DEFAULT_PASSWORD, MeterFactory, ProfileFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_roles(transactional_db):
    """The staff roles as the data migrations make them, made again.

    A transactional test that ran before this one flushed every table, the migrations' groups and
    their permissions with it (``serialized_rollback`` cannot help: the flush re-creates content
    types with new keys). Every ``RunPython`` of our apps' migrations is such a grant, idempotent.
    """
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(connection)
    state_apps = loader.project_state().apps
    done = set()
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):
            if node in done or node[0] not in {"accounts", "consents", "meters", "privacy"}:
                continue
            done.add(node)
            for operation in loader.graph.nodes[node].operations:
                if isinstance(operation, RunPython):
                    operation.code(state_apps, None)


def _code(device):
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_support_takes_up_a_fault_and_notes_the_call(staff_roles, page, screenshot):
    support = UserFactory(email="support@ilumen.be", is_staff=True)
    support.groups.add(Group.objects.get(name="support"))
    device = TOTPDevice.objects.create(user=support, name="telefoon", confirmed=True)
    homeowner = ProfileFactory(first_name="Katrien", last_name="Claes").user
    meter = MeterFactory(owner=homeowner, label="Thuis", ean="541448820050357909")
    fault = Fault.objects.create(
        meter=meter,
        type=Fault.Type.INVERTER_SUSPECTED,
        severity=Fault.Severity.HIGH,
        started=clock.local_today() - timedelta(days=3),
        evidence={
            "days": [{"day": "2026-07-08", "injection_wh": 0, "offtake_wh": 11670, "threshold_wh": 558}]
        },
    )
    Fault.objects.create(meter=MeterFactory(), type=Fault.Type.FEED_STALE, started=clock.local_today())

    page.goto("/beheer/meters/fault/")
    page.fill("#id_username", "support@ilumen.be")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/beheer/tweede-factor/**")
    page.get_by_label("Code").fill(_code(device))
    page.get_by_role("button", name="Verder").click()
    page.wait_for_url("**/beheer/meters/fault/")
    assert page.locator("#result_list tbody tr").count() == 2
    screenshot(page, "fault-queue")

    page.fill("#searchbar", "357909")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=357909**")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and "Claes" in rows.first.inner_text()
    screenshot(page, "fault-found-by-ean-digits")

    rows.first.get_by_role("link", name="omvormer vermoedelijk defect").click()
    page.wait_for_url(f"**/beheer/meters/fault/{fault.pk}/change/**")
    assert "threshold_wh" in page.content()  # the evidence is shown
    screenshot(page, "fault-opened")

    page.get_by_role("button", name="In behandeling nemen").click()
    page.get_by_text("Storing bijgewerkt: in behandeling.").wait_for()
    fault.refresh_from_db()
    assert (fault.status, fault.assignee) == (Fault.Status.ACKNOWLEDGED, support)
    screenshot(page, "fault-acknowledged")

    page.select_option("#id_notes-0-kind", "call")
    page.fill("#id_notes-0-text", "Klant gebeld: de omvormer toont fout 401; installateur komt donderdag.")
    page.get_by_role("button", name="Opslaan en opnieuw bewerken").click()
    page.get_by_text("Klant gebeld: de omvormer toont fout 401").wait_for()
    note = FaultNote.objects.get(fault=fault)
    assert (note.kind, note.author) == ("call", support)
    screenshot(page, "fault-note-added")


def test_the_homeowner_sees_the_fault_and_turns_the_mail_on(page, screenshot):
    profile = ProfileFactory(first_name="Katrien")
    meter = MeterFactory(owner=profile.user, label="Thuis")
    Fault.objects.create(meter=meter, type=Fault.Type.INVERTER_SUSPECTED, started=clock.local_today())

    login(page, profile.user.email, DEFAULT_PASSWORD)
    page.goto(f"/meters/{meter.pk}/")
    fault_box = page.get_by_test_id("fault")
    fault_box.wait_for()
    assert "Je zonnepanelen leveren (bijna) niets meer aan het net" in fault_box.inner_text()
    assert "Wat kan je doen?" in fault_box.inner_text()

    page.get_by_label("Mail me als er een nieuwe storing is").check()
    page.get_by_role("button", name="Bewaren").click()
    page.get_by_text("Je krijgt een e-mail als er een nieuwe storing is.").wait_for()
    meter.refresh_from_db()
    assert meter.fault_email is True
    screenshot(page, "fault-homeowner-dashboard")
