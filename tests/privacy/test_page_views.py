"""The page-view log (privacy/middleware.py, privacy/services/page_views.py; issue 9, item 4).

Real Redis (the run's own database) and real PostgreSQL: the middleware pushes onto the list,
the flush writes rows, the retention cuts addresses and deletes rows as the clock moves on.
"""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from privacy.models import PageView, PageViewBatch
from privacy.services import page_views
from privacy.services.page_views import (
    BUFFER,
    batch_drop,
    batch_store,
    batch_take,
    batches_in_flight,
    page_view_record,
    page_views_flush,
    page_views_waiting,
)
from privacy.tasks import flush_page_views, page_views_retention
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_log(cache_keys_cleared):
    """Each test starts with nothing recorded (the run's cache keys are cleared)."""


def buffered() -> list[list[str]]:
    lines = page_views._redis().lrange(page_views._key(BUFFER), 0, -1)
    return [line.decode().split("\t", 3) for line in lines]


def redis_is_empty() -> bool:
    return not buffered() and not batches_in_flight() and page_views_waiting() == 0


# --- the middleware records page views ------------------------------------------------------------


def test_an_anonymous_page_view_is_recorded_with_time_page_and_address(client):
    response = client.get(reverse("accounts:login"), REMOTE_ADDR="203.0.113.77")
    assert response.status_code == 200
    [(at_ms, ip, user_id, path)] = buffered()
    assert (ip, user_id, path) == ("203.0.113.77", "", "/accounts/aanmelden/")
    assert int(at_ms) > 0


def test_a_logged_in_view_names_the_person(client):
    user = ProfileFactory().user
    client.force_login(user)
    assert client.get(reverse("accounts:profile")).status_code == 200
    [(_, _, user_id, path)] = buffered()
    assert (user_id, path) == (str(user.pk), "/accounts/profiel/")


def test_the_address_is_the_one_our_proxy_vouches_for(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.get(
        reverse("accounts:login"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )
    [(_, ip, _, _)] = buffered()
    assert ip == "198.51.100.4"


def test_the_query_string_is_not_kept(client):
    client.get(reverse("accounts:login") + "?next=/meters/&email=iemand@example.be")
    [(_, _, _, path)] = buffered()
    assert path == "/accounts/aanmelden/"


def test_a_token_in_the_path_is_kept_as_the_route(client):
    # An unknown reset link answers 200 ("this link is no longer valid"): a page view with a token.
    response = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "geheim-token-123"]))
    assert response.status_code == 200
    lines = buffered()
    assert [path for *_, path in lines] == ["/accounts/wachtwoord/nieuw/<uidb64>/<token>/"]
    assert all("geheim-token-123" not in "\t".join(line) for line in lines)


def _routes(resolver=None, prefix=""):
    from django.urls import URLResolver, get_resolver

    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        else:
            yield route, set(getattr(pattern.pattern, "converters", {}))


def test_every_url_argument_that_looks_like_a_secret_is_masked():
    """A new one-time link (…/<token>/, …/<signature>/) cannot put its secret into the log."""
    from privacy.middleware import SECRET_URL_ARGUMENTS

    looks_secret = ("token", "sign", "secret", "uid", "key")
    unmasked = [
        (route, name)
        for route, names in _routes()
        for name in names
        if any(word in name for word in looks_secret)
        and not name.endswith("_id")  # a row's number (e.g. an API token's id), not a secret
        and name not in SECRET_URL_ARGUMENTS
    ]
    assert unmasked == []
    assert any("token" in names for _, names in _routes())  # the walk sees the token routes


def test_what_is_not_a_page_view_is_not_recorded(client, staff_user, admin_login):
    client.get(reverse("home"))  # anonymous: a redirect to the login page
    client.get("/bestaat-niet/")  # 404
    client.get(reverse("healthz"))  # JSON
    client.get(reverse("security_txt"))  # text
    client.post(reverse("accounts:login"), {"username": "x@example.be", "password": "fout"})
    client.head(reverse("accounts:login"))
    admin_login(client, staff_user("dpo"))
    assert client.get(reverse("admin:index")).status_code == 200  # the staff admin
    assert client.get(reverse("admin:page_view_totals")).status_code == 200
    assert buffered() == []


def test_a_page_still_answers_when_redis_is_down(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "page view not recorded" in caplog.text


def test_the_list_is_capped(settings):
    settings.PAGE_VIEWS_BUFFER_MAX = 3
    for n in range(5):
        page_view_record(path=f"/p{n}/", ip="192.0.2.1", user_id=None)
    assert [path for *_, path in buffered()] == ["/p2/", "/p3/", "/p4/"]


# --- the flush writes them -------------------------------------------------------------------------


def test_the_flush_writes_every_view_once_and_empties_redis(client):
    user = ProfileFactory().user
    client.get(reverse("accounts:login"), REMOTE_ADDR="203.0.113.77")
    client.force_login(user)
    client.get(reverse("accounts:profile"), REMOTE_ADDR="2001:db8:abcd:12::5")
    assert page_views_waiting() == 2

    result = flush_page_views()

    assert result == {"rows": 2, "batches": 1, "recovered": 0}
    rows = list(PageView.objects.order_by("viewed_at").values("path", "ip", "user_id", "ip_truncated"))
    assert rows == [
        {"path": "/accounts/aanmelden/", "ip": "203.0.113.77", "user_id": None, "ip_truncated": False},
        {
            "path": "/accounts/profiel/",
            "ip": "2001:db8:abcd:12::5",
            "user_id": user.pk,
            "ip_truncated": False,
        },
    ]
    assert redis_is_empty()
    assert flush_page_views() == {"rows": 0, "batches": 0, "recovered": 0}
    assert PageView.objects.count() == 2


def test_the_flush_goes_batch_by_batch():
    for n in range(7):
        page_view_record(path=f"/p{n}/", ip="192.0.2.1", user_id=None)
    result = page_views_flush(batch_size=3)
    assert (result.rows, result.batches) == (7, 3)
    assert PageViewBatch.objects.count() == 3
    assert redis_is_empty()


def test_a_flush_stopped_after_taking_a_batch_loses_nothing():
    for n in range(4):
        page_view_record(path=f"/p{n}/", ip="192.0.2.1", user_id=None)
    name = batch_take(batch_size=10)  # ... and the worker dies here
    assert name is not None and batches_in_flight() == [name]
    assert page_views_waiting() == 4

    result = page_views_flush()

    assert (result.rows, result.recovered) == (4, 1)
    assert sorted(PageView.objects.values_list("path", flat=True)) == ["/p0/", "/p1/", "/p2/", "/p3/"]
    assert redis_is_empty()


def test_a_flush_stopped_after_writing_writes_nothing_twice():
    for n in range(4):
        page_view_record(path=f"/p{n}/", ip="192.0.2.1", user_id=None)
    name = batch_take(batch_size=10)
    assert batch_store(name=name) == 4  # committed ... and the worker dies before batch_drop
    page_view_record(path="/later/", ip="192.0.2.1", user_id=None)

    result = page_views_flush()

    assert (result.rows, result.recovered, result.batches) == (1, 1, 1)
    assert PageView.objects.count() == 5
    assert redis_is_empty()


def test_a_database_failure_in_the_middle_of_a_write_loses_nothing():
    """The insert of the rows fails (the database goes away): the batch stays in Redis, and the next
    flush writes it whole, once."""
    for n in range(3):
        page_view_record(path=f"/p{n}/", ip="192.0.2.1", user_id=None)

    def fail_on_insert(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "privacy_pageview"'):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_insert), pytest.raises(OperationalError):
        page_views_flush()
    assert PageView.objects.count() == 0 and PageViewBatch.objects.count() == 0
    assert page_views_waiting() == 3

    assert page_views_flush().rows == 3
    assert sorted(PageView.objects.values_list("path", flat=True)) == ["/p0/", "/p1/", "/p2/"]
    assert redis_is_empty()


def test_a_batch_written_by_another_flush_is_only_dropped():
    page_view_record(path="/p/", ip="192.0.2.1", user_id=None)
    name = batch_take(batch_size=10)
    assert batch_store(name=name) == 1
    assert batch_store(name=name) == 0  # the other flush, a moment later
    batch_drop(name=name)
    assert PageView.objects.count() == 1


def test_views_of_a_person_erased_before_the_flush_are_not_written():
    user = ProfileFactory().user
    page_view_record(path="/accounts/profiel/", ip="192.0.2.1", user_id=user.pk)
    page_view_record(path="/accounts/aanmelden/", ip="192.0.2.1", user_id=None)
    user.delete()
    assert page_views_flush().rows == 1
    assert list(PageView.objects.values_list("path", flat=True)) == ["/accounts/aanmelden/"]


def test_unreadable_lines_are_dropped_and_the_rest_written():
    client = page_views._redis()
    client.rpush(
        page_views._key(BUFFER), b"garbage", b"\xff\xfe", b"1\tnot-an-ip\t\t/ok/", b"x\t\t\t/bad-time/"
    )
    assert page_views_flush().rows == 1
    assert list(PageView.objects.values_list("path", "ip")) == [("/ok/", None)]


def test_deleting_a_person_deletes_their_page_views():
    user = ProfileFactory().user
    page_view_record(path="/accounts/profiel/", ip="192.0.2.1", user_id=user.pk)
    page_views_flush()
    user.delete()
    assert PageView.objects.count() == 0


# --- retention: addresses cut after 30 days, rows deleted after 12 months --------------------------


def _view_now(client, address):
    client.get(reverse("accounts:login"), REMOTE_ADDR=address)


def test_the_retention_cuts_addresses_and_deletes_rows_on_time(client, settings):
    _view_now(client, "203.0.113.77")
    _view_now(client, "2001:db8:abcd:12:3456::5")
    page_views_flush()
    start = settings.CLOCK_SHIFT

    def days_later(days):
        settings.CLOCK_SHIFT = start + timedelta(days=days)
        return page_views_retention()

    assert days_later(6) == {"truncated": 0, "deleted": 0, "batches_deleted": 0}
    # the batch key is kept a week (PAGE_VIEWS_BATCH_KEEP_DAYS), the views themselves much longer
    assert days_later(29) == {"truncated": 0, "deleted": 0, "batches_deleted": 1}
    assert sorted(PageView.objects.values_list("ip", flat=True)) == [
        "2001:db8:abcd:12:3456::5",
        "203.0.113.77",
    ]

    assert days_later(31)["truncated"] == 2
    assert sorted(PageView.objects.values_list("ip", "ip_truncated")) == [
        ("2001:db8:abcd::", True),
        ("203.0.113.0", True),
    ]
    assert days_later(32)["truncated"] == 0  # a cut address is not rewritten daily

    assert days_later(364)["deleted"] == 0
    assert PageView.objects.count() == 2
    assert days_later(366)["deleted"] == 2
    assert PageView.objects.count() == 0 and PageViewBatch.objects.count() == 0


def test_the_retention_periods_are_settings(client, settings):
    settings.PAGE_VIEWS_IP_DAYS = 2
    settings.PAGE_VIEWS_KEEP_DAYS = 5
    _view_now(client, "198.51.100.200")
    page_views_flush()
    start = settings.CLOCK_SHIFT
    settings.CLOCK_SHIFT = start + timedelta(days=3)
    call_command("page_views", "retention")
    assert PageView.objects.get().ip == "198.51.100.0"
    settings.CLOCK_SHIFT = start + timedelta(days=6)
    call_command("page_views", "retention")
    assert not PageView.objects.exists()


def test_the_operator_command_flushes(client, capsys):
    _view_now(client, "192.0.2.9")
    call_command("page_views", "flush")
    assert "written 1 page views" in capsys.readouterr().out
    assert PageView.objects.count() == 1


def test_both_tasks_are_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"privacy.flush_page_views", "privacy.page_views_retention"} <= tasks


# --- staff see totals, never an address --------------------------------------------------------------


def test_the_admin_shows_totals_per_day_and_page_and_no_address(client, staff_user, admin_login):
    visitor = Client()
    for address in ("203.0.113.77", "203.0.113.78", "2001:db8:abcd:12::5"):
        visitor.get(reverse("accounts:login"), REMOTE_ADDR=address)
    visitor.get(reverse("privacy:statement"), REMOTE_ADDR="203.0.113.77")
    page_views_flush()

    admin_login(client, staff_user("dpo"))
    response = client.get(reverse("admin:page_view_totals"))
    assert response.status_code == 200
    html = response.text
    assert "/accounts/aanmelden/" in html and "/privacy/" in html
    totals = response.context["totals"]
    assert totals.views == 4
    assert dict(totals.pages) == {"/accounts/aanmelden/": 3, "/privacy/": 1}
    assert sum(day.views for day in totals.days) == 4
    for shown in ("203.0.113.77", "203.0.113.78", "203.0.113.", "2001:db8", "IP-adres</th>"):
        assert shown not in html
    # after the cut too
    PageView.objects.update(ip="203.0.113.0", ip_truncated=True)
    assert "203.0.113" not in client.get(reverse("admin:page_view_totals")).text


def test_no_admin_page_lists_page_view_rows():
    assert PageView not in admin.site._registry
    assert PageViewBatch not in admin.site._registry


def test_a_period_is_checked(client, staff_user, admin_login):
    admin_login(client, staff_user("dpo"))
    url = reverse("admin:page_view_totals")
    assert client.get(url, {"van": "2026-01-10", "tot": "2026-01-01"}).status_code == 400
    assert client.get(url, {"van": "2020-01-01", "tot": "2026-01-01"}).status_code == 400
    assert client.get(url, {"van": "geen datum"}).status_code == 400
    response = client.get(url, {"van": "2026-01-01", "tot": "2026-01-07"})
    assert response.status_code == 200
    assert len(response.context["totals"].days) == 7


def test_support_does_not_get_the_totals(client, staff_user, admin_login):
    admin_login(client, staff_user("support"))
    assert client.get(reverse("admin:page_view_totals")).status_code == 403
