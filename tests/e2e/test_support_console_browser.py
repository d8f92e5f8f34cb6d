"""Acceptance (issue 7): support logs in to the admin with password and TOTP, finds a customer by
phone (typed as people type it) and by the last digits of an EAN, opens the fault, acknowledges
it and adds a note; a screenshot of each step, and the customer's page at 375 px and 1280 px
with nothing cut off. Every page is checked for console errors and CSP violations
(tests/e2e/conftest.py)."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessRecord
from ilusmart import clock
from meters.models import Fault, FaultNote
from meters.services.ingest import readings_ingest
from tests.factories import (
    DEFAULT_PASSWORD,
    MandateFactory,
    MeterFactory,
    ProductFactory,
    ProfileFactory,
    UserFactory,
)
from tests.meters.values import day_values, local_midnight_utc, quarter_hours_in

pytestmark = [pytest.mark.e2e, pytest.mark.date_sensitive, pytest.mark.django_db(transaction=True)]

GAP_DAYS = (19, 20)  # days before today without any value
DARK_DAYS = 3  # the last days: offtake, but no injection (the inverter stopped)
HISTORY_DAYS = 40


def _code(device) -> str:
    """The code the support member's authenticator app shows now (the device the fixture enrolled)."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


@pytest.fixture
def staff_roles(transactional_db):
    """The staff roles as the data migrations make them, made again (each grant is idempotent).

    A transactional test before this one empties every table, groups included; the serialized
    rollback of tests/conftest.py does not reach this test, whose database connection lives in
    Playwright's context and so lacks the serialized copy. Same as in test_fault_admin_browser.py;
    both belong in tests/e2e/conftest.py.
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


@pytest.fixture
def support_with_authenticator(staff_roles):
    support = UserFactory(email="an.support@ilumen.be", is_staff=True)
    support.groups.add(Group.objects.get(name="support"))
    device = TOTPDevice.objects.create(user=support, name="telefoon", confirmed=True)
    return support, device


@pytest.fixture
def customer_with_a_fault():
    """Marie, whose inverter stopped three days ago: 40 days of readings with a two-day hole."""
    profile = ProfileFactory(
        user__password=None,
        user__email="marie.peeters@example.be",
        first_name="Marie",
        last_name="Peeters",
        street="Veldstraat",
        house_number="88",
        postal_code="3000",
        municipality="Leuven",
        phone="+32470123456",
    )
    other = ProfileFactory(user__password=None, first_name="Jan", last_name="Peeters", phone="+32470654321")
    MeterFactory(owner=other.user, ean="541448820000056787")
    meter = MeterFactory(
        owner=profile.user, ean="541448820000012349", meter_id="1SAG1100042424", label="Thuis"
    )
    ProductFactory(
        meter=meter, inverter_make="SMA", inverter_model="Sunny Boy 5.0", inverter_serial="SMA-3000TL-778899"
    )
    MandateFactory(user=profile.user, ean=meter.ean)
    today = clock.local_today()
    for back in range(1, HISTORY_DAYS + 1):
        if back in GAP_DAYS:
            continue
        day = today - timedelta(days=back)
        slots = quarter_hours_in(day)
        sunny = range(slots // 3, 2 * slots // 3)
        injection = {n: ("0.300" if n in sunny and back > DARK_DAYS else "0.000") for n in range(slots)}
        readings_ingest(
            meter=meter,
            values=day_values(
                local_midnight_utc(day),
                slots,
                offtake=dict.fromkeys(range(slots), "0.100"),
                injection=injection,
            ),
        )
    fault = Fault.objects.create(
        meter=meter,
        type=Fault.Type.INVERTER_SUSPECTED,
        severity=Fault.Severity.HIGH,
        started=today - timedelta(days=DARK_DAYS),
        evidence={"days": DARK_DAYS, "injection_wh": 0},
    )
    return profile.user, meter, fault


def _coverage_30_text(today) -> str:
    """The 30-day coverage as the page shows it (Dutch decimal comma), from the days written."""
    days = [today - timedelta(days=back) for back in range(1, 31)]
    expected = sum(2 * quarter_hours_in(day) for day in days)
    present = sum(2 * quarter_hours_in(day) for day in days if (today - day).days not in GAP_DAYS)
    percent = (Decimal(present * 100) / expected).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{percent}".replace(".", ",") + "\u00a0%"


CUT_OFF = r"""() => {
  const width = document.documentElement.clientWidth;
  const cut = [];
  for (const el of document.querySelectorAll('#content *')) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden' || el.closest('.visually-hidden')) { continue; }
    const what = `${el.tagName.toLowerCase()}.${el.className} "${(el.innerText || '').replace(/\s+/g, ' ').slice(0, 40)}"`;
    if (box.right > width + 1) {
      cut.push(`${what} reaches ${Math.round(box.right)} px`);
    } else if (style.overflowX !== 'visible' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)
               && el.scrollWidth > el.clientWidth + 1) {
      cut.push(`${what} hides ${el.scrollWidth - el.clientWidth} px of its content sideways`);
    }
  }
  if (document.documentElement.scrollWidth > width) { cut.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`); }
  return cut;
}"""


def _cut_off(page) -> list[str]:
    """Visible elements of the page's content that reach past the right edge of the viewport, or
    boxes that clip or scroll their content sideways (the admin's list does, rather than wrap)."""
    return page.evaluate(CUT_OFF)


def _search(page, text):
    page.goto("/beheer/")
    page.get_by_label("Zoek een klant").fill(text)
    page.get_by_role("button", name="Zoeken").click()


def test_support_finds_a_customer_and_follows_up_the_fault(
    page, phone_page, screenshot, support_with_authenticator, customer_with_a_fault
):
    support, device = support_with_authenticator
    customer, meter, fault = customer_with_a_fault
    customer_url = f"/beheer/klanten/{customer.pk}/"

    # 1. Password, then the code of the authenticator app.
    page.goto("/beheer/")
    page.wait_for_url("**/beheer/login/**")
    page.fill("#id_username", support.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    screenshot(page, "console-01-login")
    page.click("input[type=submit]")
    page.wait_for_url("**/beheer/tweede-factor/**")
    page.get_by_label("Code").fill(_code(device))
    screenshot(page, "console-02-second-factor")
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("heading", name="Beheer van iLusmart").wait_for()
    assert page.get_by_test_id("console-search").is_visible()
    screenshot(page, "console-03-index")

    # 2. By phone, typed the way people say it: one hit, so straight to Marie's page.
    _search(page, "0470 12 34 56")
    page.wait_for_url(f"**{customer_url}")
    page.get_by_role("heading", name="Marie Peeters").wait_for()
    health = page.get_by_test_id("data-health")
    assert "Dekking 30 dagen" in health.inner_text()
    assert _coverage_30_text(clock.local_today()) in health.inner_text()
    assert "omvormer vermoedelijk defect" in health.inner_text()
    assert "0470 12 34 56" in page.content()
    screenshot(page, "console-04-found-by-phone")

    # 3. By the last digits of the EAN.
    _search(page, "12349")
    page.wait_for_url(f"**{customer_url}")
    assert "541448820000012349" in page.content()
    screenshot(page, "console-05-found-by-ean-digits")
    assert AccessRecord.objects.filter(staff_id=support.pk, customer_id=customer.pk).count() == 2

    # 4. Open the fault, take it up.
    health.get_by_role("link", name="omvormer vermoedelijk defect").click()
    page.wait_for_url(f"**/beheer/meters/fault/{fault.pk}/change/**")
    screenshot(page, "console-06-fault")
    page.get_by_role("button", name="In behandeling nemen").click()
    page.get_by_text("Storing bijgewerkt: in behandeling.").wait_for()
    fault.refresh_from_db()
    assert (fault.status, fault.assignee) == (Fault.Status.ACKNOWLEDGED, support)
    screenshot(page, "console-07-fault-acknowledged")

    # 5. A note of the call with Marie, on the fault.
    page.locator("select[name='notes-0-kind']").select_option("call")
    page.locator("textarea[name='notes-0-text']").fill(
        "Marie gebeld: omvormer stond uit na een stroompanne, terug aangezet."
    )
    page.locator("input[name='_continue']").click()
    page.get_by_text("Marie gebeld: omvormer stond uit").first.wait_for()
    note = FaultNote.objects.get(fault=fault)
    assert (note.kind, note.author) == ("call", support)
    screenshot(page, "console-08-fault-note")

    # The note is on the customer's page too, with the rest of the contact history.
    page.goto(customer_url)
    assert "Marie gebeld: omvormer stond uit" in page.get_by_test_id("customer-page").inner_text()
    assert _cut_off(page) == [], "the customer page is cut off at 1280 px"
    screenshot(page, "console-09-customer-1280")

    # The lists support works in, at 1280 px: nothing cut off sideways.
    for name, path in (
        ("search-results", "/beheer/klanten/?q=Peeters"),
        ("fault-list", "/beheer/meters/fault/"),
        ("meter-list", "/beheer/meters/meter/"),
        ("contact-notes", "/beheer/meters/contactnote/"),
        ("periodic-tasks", "/beheer/meters/periodictaskrun/"),
        ("user-list", "/beheer/accounts/user/"),
        ("meter", f"/beheer/meters/meter/{meter.pk}/change/"),
        ("fault", f"/beheer/meters/fault/{fault.pk}/change/"),
    ):
        page.goto(path)
        screenshot(page, f"console-10-{name}-1280")
        cut = _cut_off(page)
        assert not cut, f"{path} is cut off at 1280 px: " + "\n".join(cut)

    # 6. The same session on a phone (375 px): the customer page and the search, nothing cut off.
    phone_page.context.add_cookies(page.context.cookies())
    phone_page.goto(customer_url)
    phone_page.get_by_role("heading", name="Marie Peeters").wait_for()
    assert _cut_off(phone_page) == [], "the customer page is cut off at 375 px"
    screenshot(phone_page, "console-11-customer-375")
    phone_page.goto("/beheer/klanten/?q=Peeters")
    assert _cut_off(phone_page) == [], "the search results are cut off at 375 px"
    screenshot(phone_page, "console-12-search-results-375")
