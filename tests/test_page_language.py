"""Every homeowner page speaks one language in one voice: titles name iLusmart, month names
keep one case (issue 8, item 10)."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import override

from tests.factories import MeterFactory, ProfileFactory, covering_mandate

pytestmark = pytest.mark.django_db


def _title(html: str) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


def test_page_titles_say_ilusmart(client):
    for name in ("accounts:login", "accounts:sign_up", "accounts:password_reset"):
        assert _title(client.get(reverse(name)).text).endswith(" · iLusmart"), name
    profile = ProfileFactory()
    meter = MeterFactory(owner=profile.user)
    client.force_login(profile.user)
    pages = [
        reverse("home"),
        reverse("meters:list"),
        reverse("meters:dashboard", args=[meter.pk]),
        reverse("meters:month", args=[meter.pk, date(2025, 6, 1)]),
        reverse("meters:export", args=[meter.pk]),
        reverse("meters:import", args=[meter.pk]),
        reverse("meters:capacity_tariff", args=[meter.pk]),
        reverse("accounts:profile"),
    ]
    for url in pages:
        title = _title(client.get(url).text)
        assert title.endswith(" · iLusmart") and "iLumen" not in title and not title.startswith("·"), (
            url,
            title,
        )


def test_month_names_keep_one_case_in_the_year_table(client):
    profile = ProfileFactory()
    meter = MeterFactory(owner=profile.user)
    covering_mandate(meter)
    client.force_login(profile.user)
    html = client.get(reverse("meters:year", args=[meter.pk, 2025])).text
    labels = re.findall(
        r'<th scope="row">(?:<a [^>]*>)?([^<]+)', html.split('data-testid="chart-table"', 1)[1]
    )
    with override("nl-be"):
        months = [date_format(date(2025, n, 1), "F") for n in range(1, 13)]
    assert months[0] == "januari"  # Dutch writes month names in lower case
    assert labels[:12] == months
