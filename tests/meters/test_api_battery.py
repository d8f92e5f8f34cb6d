"""The battery what-if in the API (``GET /api/v1/meters/{ean}/battery/``, meters/api, issue 12):
the same figures as the service, only the homeowner's own meter, clear 400s for wrong input."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from meters.models import HomeTariff
from meters.selectors.battery import battery_whatif
from meters.selectors.visibility import visible_periods
from meters.services.battery import BatterySpec
from tests.factories import MeterFactory, ProfileFactory, covering_mandate
from tests.meters.battery_data import simple_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def meter():
    meter = MeterFactory(owner=ProfileFactory().user)
    covering_mandate(meter)
    simple_year(meter, missing={date(2025, 5, 5): [10]})
    HomeTariff.objects.create(
        user=meter.owner,
        offtake_day_eur_per_kwh=Decimal("0.30"),
        offtake_night_eur_per_kwh=Decimal("0.20"),
        injection_eur_per_kwh=Decimal("0.04"),
        fixed_eur_per_year=Decimal("100"),
        capacity_eur_per_kw_year=Decimal("50"),
    )
    return meter


def _get(client, auth, meter, **params):
    return client.get(reverse("api:battery", args=[meter.ean]), params, **auth)


def _kwh(wh):
    return None if wh is None else f"{Decimal(wh) / 1000:.3f}"


def _money(eur):
    return None if eur is None else f"{eur:.2f}"


def _figures(figures) -> dict:
    return {
        "quarter_hours": figures.slots,
        "missing_quarter_hours": figures.missing,
        "offtake_kwh": _kwh(figures.offtake_wh),
        "offtake_night_kwh": _kwh(figures.offtake_night_wh),
        "injection_kwh": _kwh(figures.injection_wh),
        "charge_kwh": _kwh(figures.charge_wh),
        "discharge_kwh": _kwh(figures.discharge_wh),
        "peak_offtake_kw": _kwh(figures.peak_offtake_w),
    }


def test_the_figures_are_the_services(client, bearer, meter):
    response = _get(
        client,
        bearer(meter.owner),
        meter,
        **{"from": "2025-01"},
        capacity_kwh=["5", "10"],
        power_kw=["2.5", "5"],
        battery_price_eur=["5000"],
        efficiency="1",
        depth="1",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    specs = [
        BatterySpec(capacity_wh=5000, power_w=2500, efficiency=Decimal(1), depth=Decimal(1)),
        BatterySpec(capacity_wh=10000, power_w=5000, efficiency=Decimal(1), depth=Decimal(1)),
    ]
    whatif = battery_whatif(
        meter=meter,
        start=date(2025, 1, 1),
        specs=specs,
        battery_prices=[Decimal(5000), None],
        visible=visible_periods(user=meter.owner, meter=meter),
        home=HomeTariff.objects.get(user=meter.owner),
    )
    assert body["ean"] == meter.ean
    assert (body["start"], body["end"]) == ("2025-01-01", "2026-01-01")
    assert body["prices"] == {"source": "home", "capacity_eur_per_kw_year": "50.00", "unpriced_days": 0}
    options = [whatif.baseline, *whatif.options]
    answers = [body["without_battery"], *body["batteries"]]
    assert len(answers) == 3
    for option, answer in zip(options, answers, strict=True):
        assert answer["total"] == _figures(option.total)
        assert [m["month"] for m in answer["months"]] == [m.month.isoformat() for m in option.months]
        for month, item in zip(option.months, answer["months"], strict=True):
            assert {k: v for k, v in item.items() if k not in ("month", "peak_day")} == _figures(month)
            assert item["peak_day"] == month.peak_day.isoformat()
        bill = option.bill
        assert answer["bill"] == {
            "offtake_eur": _money(bill.offtake_eur),
            "injection_eur": _money(bill.injection_eur),
            "capacity_eur": _money(bill.capacity_eur),
            "fixed_eur": _money(bill.fixed_eur),
            "total_eur": _money(bill.total_eur),
            "average_peak_kw": f"{bill.average_peak_kw:.3f}",
        }
        assert answer["saving_eur"] == _money(option.saving_eur)
    # and those are the page's hand-worked figures (tests/meters/test_views_battery.py)
    assert [a["bill"]["total_eur"] for a in answers] == ["675.20", "490.88", "306.58"]
    assert [a["saving_eur"] for a in answers] == [None, "184.32", "368.62"]
    assert [a["payback_years"] for a in answers] == [None, "27.1", None]
    assert answers[0]["total"]["missing_quarter_hours"] == 1
    assert body["batteries"][0]["battery"] == {
        "capacity_kwh": "5.000",
        "power_kw": "2.500",
        "efficiency": "1.000",
        "depth": "1.000",
        "strategy": "self_consumption",
        "peak_kw": None,
        "reserve": None,
        "price_eur": "5000.00",
    }
    assert body["without_battery"]["battery"] is None


def test_defaults_are_the_pages_three_sizes(client, bearer, meter):
    body = _get(client, bearer(meter.owner), meter).json()
    assert [(b["battery"]["capacity_kwh"], b["battery"]["power_kw"]) for b in body["batteries"]] == [
        ("5.000", "2.500"),
        ("10.000", "5.000"),
        ("15.000", "5.000"),
    ]
    assert body["batteries"][0]["battery"]["efficiency"] == "0.900"


def test_peak_shaving(client, bearer, meter):
    body = _get(
        client,
        bearer(meter.owner),
        meter,
        **{"from": "2025-01"},
        capacity_kwh="10",
        power_kw="5",
        strategy="peak_shaving",
        peak_kw="4",
    ).json()
    battery = body["batteries"][0]
    assert battery["battery"]["peak_kw"] == "4.000" and battery["battery"]["reserve"] == "0.500"
    assert Decimal(battery["total"]["peak_offtake_kw"]) <= Decimal(
        body["without_battery"]["total"]["peak_offtake_kw"]
    )


def test_another_homeowners_meter_is_404(client, bearer, meter):
    other = ProfileFactory().user
    response = _get(client, bearer(other), meter, capacity_kwh="5", power_kw="2.5")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert _get(client, bearer(other), MeterFactory(owner=other)).status_code == 200


def test_only_the_homeowners_own_days_count(client, bearer, meter):
    newcomer = ProfileFactory().user
    meter.owner = newcomer
    meter.save()
    covering_mandate(meter, user=newcomer, since=date(2026, 1, 1))
    body = _get(client, bearer(newcomer), meter, **{"from": "2025-01"}).json()
    total = body["without_battery"]["total"]
    assert total["missing_quarter_hours"] == total["quarter_hours"] == 35040
    assert total["offtake_kwh"] is None  # no data: null, never 0


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"capacity_kwh": "abc", "power_kw": "2"}, "capacity_kwh", "geldig nummer"),
        ({"capacity_kwh": "300", "power_kw": "2"}, "capacity_kwh", "tussen 0 en 200 kWh"),
        ({"capacity_kwh": "0", "power_kw": "2"}, "capacity_kwh", "tussen 0 en 200 kWh"),
        ({"capacity_kwh": "5", "power_kw": "-1"}, "power_kw", "tussen 0 en 100 kW"),
        ({"capacity_kwh": "5"}, "power_kw", "zowel capaciteit als vermogen"),
        ({"capacity_kwh": ["5", "10"], "power_kw": "2"}, "power_kw", "zowel capaciteit als vermogen"),
        ({"capacity_kwh": ["1", "2", "3", "4"], "power_kw": ["1", "2", "3"]}, "capacity_kwh", "3"),
        ({"capacity_kwh": "5.0001", "power_kw": "2"}, "capacity_kwh", "3 cijfers achter de komma"),
        ({"efficiency": "0.4"}, "efficiency", "tussen 50 en 100 procent"),
        ({"efficiency": "NaN"}, "efficiency", "geldig nummer"),
        ({"depth": "1.5"}, "depth", "tussen 10 en 100 procent"),
        ({"strategy": "grid"}, "strategy", "ongeldige keuze"),
        ({"strategy": "peak_shaving"}, "peak_kw", "doelpiek"),
        (
            {"strategy": "peak_shaving", "peak_kw": "4", "reserve": "2"},
            "reserve",
            "kleiner is dan of gelijk is aan 1",
        ),
        ({"reserve": "-729235788"}, "reserve", "groter is dan of gelijk is aan 0"),  # found by schemathesis
        ({"from": "2099-01"}, "from", "Kies een maand tussen"),
        ({"from": "2025-13"}, "from", "jjjj-mm"),
        ({"from": "januari"}, "from", "formaat"),
        ({"battery_price_eur": ["1", "2", "3", "4"]}, "battery_price_eur", "3"),
        (
            {"capacity_kwh": "5", "power_kw": "2", "battery_price_eur": ["1", "2"]},
            "battery_price_eur",
            "prijzen",
        ),
        ({"battery_price_eur": "-5"}, "battery_price_eur", "groter is dan of gelijk is aan 0"),
    ],
)
def test_wrong_input_is_a_400_naming_the_parameter(client, bearer, meter, params, field, message):
    response = _get(client, bearer(meter.owner), meter, **params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert message in " ".join(error["fields"][field])


def test_the_what_if_has_a_tighter_rate_per_user_over_all_their_devices(client, bearer, meter, settings):
    """A year's simulation costs a tenth of a second of a core: one person may not ask it as often
    as the light endpoints, however many devices (tokens) they log in from."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "api_whatif": "2/minute",
        },
    }
    phone, tablet = bearer(meter.owner), bearer(meter.owner)
    assert _get(client, phone, meter).status_code == 200
    assert _get(client, tablet, meter).status_code == 200
    refused = _get(client, phone, meter)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert _get(client, tablet, meter).status_code == 429
    # The light endpoints keep their own budget.
    assert client.get(reverse("api:meters"), **phone).status_code == 200
