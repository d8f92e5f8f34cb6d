"""Capacity tariff: hand-computed figures on readings with known peaks (meters/selectors/tariff.py).

The data (local = Europe/Brussels):

=========  ==========================================  ========  =========
month      peak quarter-hour (local)                   peak kW   billed kW
=========  ==========================================  ========  =========
2024-11    1 Nov 12:00, 2.500 kWh                      10.000    10.000   (outside Nov-2025 window)
2024-12    24 Dec 19:30, 0.750 kWh                     3.000     3.000
2025-03    30 Mar 03:00 CEST (DST day, 92 slots), 0.8  3.200     3.200
2025-08    no data at all                              —         —
2025-09    10 Sep 08:00, 0.400 kWh                     1.600     2.500    (below the floor)
2025-10    26 Oct 02:15 CET, the *second* 02:15 of     6.000     6.000
           the 100-slot DST day, 1.500 kWh
2025-11    5 Nov 18:00, 1.234 kWh (today = 12 Nov)     4.936     4.936
=========  ==========================================  ========  =========

Prices: 50.00 EUR/kW/year valid 2025-01-01 … 2025-06-30, 60.00 from 2025-07-01 (open-ended).
The price valid on ``today`` applies to the whole 12-month average.

On 2025-11-12 (window Dec 2024 … Nov 2025, 5 months with data):
average = (3.000 + 3.200 + 2.500 + 6.000 + 4.936) / 5 = 19.636 / 5 = 3.9272 → 3.927 kW;
cost = 3.927 × 60 = 235.62 EUR. With every peak 1 kW lower: 2.000→2.5, 2.200→2.5, 0.6→2.5,
5.000, 3.936 → 16.436 / 5 = 3.2872 → 3.287 kW → 197.22 EUR; saving 235.62 − 197.22 = 38.40 EUR.

On 2025-06-15 (window Jul 2024 … Jun 2025): (10.000 + 3.000 + 3.200) / 3 = 5.400 kW × 50 = 270.00.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from ilusmart import clock
from meters.models import CapacityTariffPrice
from meters.selectors import capacity_price_on, capacity_tariff_summary
from meters.selectors.visibility import ALL_DAYS
from meters.services.ingest import readings_ingest
from tests.factories import MeterFactory, UserFactory, covering_mandate
from tests.meters.values import qh, utc

pytestmark = pytest.mark.django_db

TODAY = date(2025, 11, 12)


@pytest.fixture
def meter():
    meter = MeterFactory()
    covering_mandate(meter)  # the homeowner sees the days their mandate covers (the pages)
    readings_ingest(
        meter=meter,
        values=[
            qh("2024-11-01T11:00", "offtake", "2.500"),
            qh("2024-12-24T18:30", "offtake", "0.750"),
            qh("2024-12-24T18:45", "offtake", "0.500"),
            qh("2024-12-24T18:30", "injection", "3.000"),  # injection never counts
            qh("2025-03-30T01:00", "offtake", "0.800"),  # 03:00 CEST, just after the jump
            qh("2025-03-30T00:45", "offtake", "0.700"),  # 01:45 CET
            qh("2025-09-10T06:00", "offtake", "0.400", register="night"),
            qh("2025-09-11T06:00", "offtake", "0.400"),  # same peak later: not the one named
            qh("2025-10-26T00:15", "offtake", "1.000"),  # first 02:15 (CEST)
            qh("2025-10-26T01:15", "offtake", "1.500"),  # second 02:15 (CET): the peak
            qh("2025-11-05T17:00", "offtake", "1.234"),
            qh("2025-11-05T17:15", "offtake", None, None),  # missing, not 0
            qh("2025-11-11T17:00", "offtake", "0.100", "EST"),
        ],
    )
    return meter


@pytest.fixture
def prices():
    first = CapacityTariffPrice.objects.create(
        price_eur_per_kw_year=Decimal("50.00"), valid_from=date(2025, 1, 1), valid_to=date(2025, 6, 30)
    )
    second = CapacityTariffPrice.objects.create(
        price_eur_per_kw_year=Decimal("60.00"), valid_from=date(2025, 7, 1)
    )
    return first, second


def test_summary_matches_hand_computed_values(meter, prices):
    summary = capacity_tariff_summary(visible=ALL_DAYS, meter=meter, today=TODAY)

    assert [m.month for m in summary.months] == [date(2024, 12, 1)] + [date(2025, m, 1) for m in range(1, 12)]
    by_month = {m.month: m for m in summary.months}
    assert {month: m.peak_kw for month, m in by_month.items() if m.has_data} == {
        date(2024, 12, 1): Decimal("3.000"),
        date(2025, 3, 1): Decimal("3.200"),
        date(2025, 9, 1): Decimal("1.600"),
        date(2025, 10, 1): Decimal("6.000"),
        date(2025, 11, 1): Decimal("4.936"),
    }
    assert summary.months_with_data == 5
    assert summary.average_kw == Decimal("3.927")
    assert summary.price == prices[1]
    assert summary.yearly_cost_eur == Decimal("235.62")
    assert summary.saving_per_kw_eur == Decimal("38.40")


def test_this_month_so_far_names_its_quarter_hour(meter, prices):
    current = capacity_tariff_summary(visible=ALL_DAYS, meter=meter, today=TODAY).current
    assert current.month == date(2025, 11, 1)
    assert current.peak_kw == Decimal("4.936")
    assert current.day == date(2025, 11, 5)
    assert (current.start_utc, current.end_utc) == (utc("2025-11-05T17:00"), utc("2025-11-05T17:15"))


def test_month_below_the_floor_is_billed_at_2_5_kw(meter, prices):
    september = capacity_tariff_summary(visible=ALL_DAYS, meter=meter, today=TODAY).months[9]
    assert september.month == date(2025, 9, 1)
    assert september.peak_kw == Decimal("1.600")
    assert september.billed_kw == Decimal("2.5")
    assert september.below_floor
    assert september.day == date(2025, 9, 10)


def test_month_without_data_is_reported_as_such_not_zero(meter, prices):
    august = capacity_tariff_summary(visible=ALL_DAYS, meter=meter, today=TODAY).months[8]
    assert august.month == date(2025, 8, 1)
    assert august.peak_kw is None and august.billed_kw is None
    assert not august.has_data and not august.below_floor


def test_peak_on_the_autumn_dst_day_is_the_second_2_15(meter, prices):
    october = capacity_tariff_summary(visible=ALL_DAYS, meter=meter, today=TODAY).months[10]
    assert october.peak_kw == Decimal("6.000")
    assert october.day == date(2025, 10, 26)
    assert october.start_utc == utc("2025-10-26T01:15")  # 02:15 CET, after the clocks went back


def test_peak_on_the_spring_dst_day(meter, prices):
    march = capacity_tariff_summary(visible=ALL_DAYS, meter=meter, today=TODAY).months[3]
    assert march.peak_kw == Decimal("3.200")
    assert march.day == date(2025, 3, 30)
    assert march.start_utc == utc("2025-03-30T01:00")  # 03:00 CEST


def test_price_valid_on_today_applies_and_window_moves(meter, prices):
    summary = capacity_tariff_summary(visible=ALL_DAYS, meter=meter, today=date(2025, 6, 15))
    assert summary.window_start == date(2024, 7, 1)
    assert summary.months_with_data == 3
    assert summary.average_kw == Decimal("5.400")
    assert summary.price == prices[0]
    assert summary.yearly_cost_eur == Decimal("270.00")
    # every peak 1 kW lower: 9 + 2.5 (floor) + 2.5 (floor) = 14 / 3 = 4.667 kW × 50 = 233.35
    assert summary.saving_per_kw_eur == Decimal("36.65")


def test_price_validity_is_inclusive(prices):
    assert capacity_price_on(day=date(2025, 6, 30)) == prices[0]
    assert capacity_price_on(day=date(2025, 7, 1)) == prices[1]
    assert capacity_price_on(day=date(2024, 12, 31)) is None
    assert capacity_price_on(day=date(2031, 1, 1)) == prices[1]


def test_without_price_no_money_figures(meter):
    summary = capacity_tariff_summary(visible=ALL_DAYS, meter=meter, today=TODAY)
    assert summary.average_kw == Decimal("3.927")
    assert summary.price is None
    assert summary.yearly_cost_eur is None and summary.saving_per_kw_eur is None


def test_meter_without_data(prices):
    summary = capacity_tariff_summary(visible=ALL_DAYS, meter=MeterFactory(), today=TODAY)
    assert len(summary.months) == 12
    assert all(m.peak_kw is None for m in summary.months)
    assert summary.months_with_data == 0
    assert summary.average_kw is None and summary.yearly_cost_eur is None


# --- CapacityTariffPrice -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (date(2025, 6, 30), date(2025, 7, 5)),  # touches both
        (date(2024, 1, 1), None),  # open-ended, overlaps everything after
        (date(2030, 1, 1), None),  # inside the open-ended one
        (date(2024, 1, 1), date(2025, 1, 1)),  # the first one's first day
    ],
)
def test_overlapping_prices_are_refused(prices, valid_from, valid_to):
    price = CapacityTariffPrice(price_eur_per_kw_year=Decimal("1"), valid_from=valid_from, valid_to=valid_to)
    with pytest.raises(ValidationError):
        price.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        price.save()


def test_adjacent_price_and_editing_itself_are_fine(prices):
    CapacityTariffPrice(
        price_eur_per_kw_year=Decimal("40"), valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31)
    ).full_clean()
    prices[1].price_eur_per_kw_year = Decimal("61")
    prices[1].full_clean()


def test_valid_to_before_valid_from_is_refused():
    price = CapacityTariffPrice(
        price_eur_per_kw_year=Decimal("1"), valid_from=date(2025, 2, 1), valid_to=date(2025, 1, 31)
    )
    with pytest.raises(ValidationError) as info:
        price.full_clean()
    assert "valid_to" in info.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        price.save()


def test_support_may_view_add_and_change_prices():
    codenames = set(Group.objects.get(name="support").permissions.values_list("codename", flat=True))
    assert {"view_capacitytariffprice", "add_capacitytariffprice", "change_capacitytariffprice"} <= codenames
    assert "delete_capacitytariffprice" not in codenames


def test_admin_lists_prices(admin_client, prices):
    response = admin_client.get(reverse("admin:meters_capacitytariffprice_changelist"))
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert sorted((p.valid_from, p.price_eur_per_kw_year) for p in rows) == [
        (date(2025, 1, 1), Decimal("50.00")),
        (date(2025, 7, 1), Decimal("60.00")),
    ]
    html = response.content.decode()
    assert "50,00" in html and "60,00" in html  # shown with the Dutch decimal comma


# --- The page ------------------------------------------------------------------------------


@pytest.fixture
def frozen_today(settings):
    """Move the project clock (ilusmart/clock.py) to TODAY: the one place the portal reads the date."""
    settings.CLOCK_SHIFT = clock.shift_to(TODAY)


def test_page_shows_the_figures_in_local_time(client, meter, prices, frozen_today):
    client.force_login(meter.owner)
    response = client.get(reverse("meters:capacity_tariff", args=[meter.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "4,936 kW" in html  # Dutch decimal comma on the page
    assert "18:00–18:15" in html  # 17:00 UTC in November = 18:00 local
    assert "02:15–02:30" in html  # October's peak, local wall time
    assert "3,927" in html and "235,62" in html and "38,40" in html
    assert "geen gegevens" in html
    assert '<th scope="col">' in html and "<caption>" in html


def test_page_in_english(client, meter, prices, frozen_today):
    client.force_login(meter.owner)
    response = client.get(reverse("meters:capacity_tariff", args=[meter.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="en"' in html
    assert "Capacity tariff" in html and "Measured peak (kW)" in html
    assert "4.936 kW" in html and "4,936" not in html  # the same figures, English decimal point
    assert "235.62" in html and "38.40" in html
    assert "Gemeten piek" not in html


def test_page_of_another_homeowners_meter_is_404(client, meter):
    client.force_login(UserFactory())
    assert client.get(reverse("meters:capacity_tariff", args=[meter.pk])).status_code == 404


def test_page_needs_login(client, meter):
    response = client.get(reverse("meters:capacity_tariff", args=[meter.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_dashboard_shows_the_capacity_card_and_export_link(client, meter, prices):
    client.force_login(meter.owner)
    html = client.get(reverse("home")).content.decode()
    assert "Piek deze maand tot nu" in html
    assert reverse("meters:capacity_tariff", args=[meter.pk]) in html
    assert reverse("meters:export", args=[meter.pk]) in html
    assert '<h3 id="capacity-title-' in html


def test_dashboard_summary_carries_the_capacity(meter, prices):
    from meters.selectors import meter_dashboard

    card = meter_dashboard(user=meter.owner, meter=meter, today=TODAY)
    assert card.capacity.current.peak_kw == Decimal("4.936")
    assert card.capacity.yearly_cost_eur == Decimal("235.62")


def test_admin_refuses_an_overlapping_price_with_a_message(admin_client, prices):
    response = admin_client.post(
        reverse("admin:meters_capacitytariffprice_add"),
        {"grid_operator": "Fluvius", "label": "", "price_eur_per_kw_year": "55", "valid_from": "2025-06-01"},
    )
    assert response.status_code == 200
    assert "overlapt" in response.content.decode()
    assert CapacityTariffPrice.objects.count() == 2


def test_page_has_one_capacity_heading_no_link_to_itself_and_labels_every_cell(
    client, meter, prices, frozen_today
):
    client.force_login(meter.owner)
    url = reverse("meters:capacity_tariff", args=[meter.pk])
    html = client.get(url).text
    headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, re.S)
    assert sum("Capaciteitstarief" in h for h in headings) == 1, headings
    assert f'href="{url}"' not in html
    # On a phone the rows stack: every value cell carries its column's name (CSS shows it).
    table = html.split('data-testid="peaks-table"', 1)[1].split("</table>", 1)[0]
    body_cells = re.findall(r"<td([^>]*)>(.*?)</td>", table.split("<tbody>", 1)[1], re.S)
    for attributes, content in body_cells:
        if content.strip():
            assert "data-label=" in attributes, content
    assert 'data-label="Gemeten piek (kW)"' in table and 'data-label="Kwartier van de piek"' in table
