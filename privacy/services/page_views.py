"""The page-view log: recorded in Redis during the request, written to PostgreSQL in batches.

Recording must not slow the page, so a view is one compact line pushed onto a Redis list (the
project's Redis, through the cache's own connection pool: ``RPUSH`` and an ``LTRIM`` cap in one
pipelined round trip). A periodic task (``privacy.flush_page_views``) moves the list into the
``PageView`` table with ``bulk_create``; another (``privacy.page_views_retention``) cuts the
addresses and deletes old rows.

No view is lost and none is written twice when a flush stops half-way (killed worker, database
down). A flush never reads the list in place: a Lua script (atomic in Redis) moves up to one
batch of lines onto a list of its own under a new key and names that key in a set of batches in
flight. The batch's rows are then inserted together with a ``PageViewBatch`` row holding that
key, in one transaction, and only after the commit is the batch list deleted. Whatever happens
in between, the next flush finds the batch in the set: if its key is in the table it was
written and is only deleted, otherwise it is written now.

A line is ``<epoch ms>\\t<ip>\\t<user id>\\t<path>`` (empty for a missing address or user).
The list is capped at ``PAGE_VIEWS_BUFFER_MAX`` lines (the oldest go first) so that a flush
stopped for days cannot fill Redis's memory.
"""

from __future__ import annotations

import ipaddress
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models.expressions import RawSQL
from redis.exceptions import RedisError

from ilusmart import clock
from ilusmart.cache_redis import cache_redis as _redis
from privacy.models import PAGE_VIEW_PATH_MAX_LENGTH, PageView, PageViewBatch

log = logging.getLogger("ilusmart.page_views")

BUFFER = "pageviews:buffer"
IN_FLIGHT = "pageviews:batches"
BATCH_PREFIX = "pageviews:batch:"
# Moves up to ARGV[1] lines from the head of KEYS[1] onto the new list KEYS[2] and adds the batch's
# name ARGV[2] to the set KEYS[3], atomically; RPUSH in slices (Lua's unpack has a stack limit).
_MOVE_BATCH = """
local items = redis.call('LPOP', KEYS[1], ARGV[1])
if not items then return 0 end
for i = 1, #items, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(items, i, math.min(i + 999, #items)))
end
redis.call('SADD', KEYS[3], ARGV[2])
return #items
"""
# Where an address is cut to after PAGE_VIEWS_IP_DAYS: its /24 (IPv4) or /48 (IPv6) network.
_TRUNCATED_IP = (
    "CASE WHEN family(ip) = 4 THEN ip & inet '255.255.255.0' ELSE ip & inet 'ffff:ffff:ffff::' END"
)
_DELETE_CHUNK = 10_000


def _key(name: str) -> str:
    return cache.make_key(name)


def page_view_record(*, path: str, ip: str | None, user_id: int | None, at: datetime | None = None) -> None:
    """Push one page view onto the Redis list (one round trip; Redis errors are the caller's)."""
    at = at or clock.now()
    line = f"{int(at.timestamp() * 1000)}\t{ip or ''}\t{user_id or ''}\t{path[:PAGE_VIEW_PATH_MAX_LENGTH]}"
    buffer = _key(BUFFER)
    pipe = _redis().pipeline(transaction=False)
    pipe.rpush(buffer, line)
    pipe.ltrim(buffer, -settings.PAGE_VIEWS_BUFFER_MAX, -1)
    pipe.execute()


def _page_view(line: bytes) -> PageView | None:
    """The row of one line, or None for a line that is not one of ours."""
    try:
        at_ms, ip, user_id, path = line.decode("utf-8").split("\t", 3)
        viewed_at = datetime.fromtimestamp(int(at_ms) / 1000, UTC)
        user = int(user_id) if user_id else None
    except (UnicodeDecodeError, ValueError, OverflowError, OSError):
        return None
    try:
        ip = str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        ip = None
    return PageView(viewed_at=viewed_at, path=path[:PAGE_VIEW_PATH_MAX_LENGTH], ip=ip, user_id=user)


def batch_take(*, batch_size: int) -> str | None:
    """Move up to ``batch_size`` lines off the list onto a new batch (atomic); its name, or None."""
    client = _redis()
    name = f"{BATCH_PREFIX}{clock.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex}"
    moved = client.register_script(_MOVE_BATCH)(
        keys=[_key(BUFFER), _key(name), _key(IN_FLIGHT)], args=[batch_size, name]
    )
    return name if moved else None


def batches_in_flight() -> list[str]:
    """Batches taken off the list and not yet dropped (being written, or left by a flush that stopped)."""
    return sorted(member.decode() for member in _redis().smembers(_key(IN_FLIGHT)))


def batch_store(*, name: str) -> int:
    """Write batch ``name`` into the table with its ``PageViewBatch`` key, in one transaction.

    Returns the rows written; 0 when the key is in the table already (written before).
    """
    if PageViewBatch.objects.filter(key=name).exists():
        return 0
    lines = _redis().lrange(_key(name), 0, -1)
    rows = [row for row in map(_page_view, lines) if row is not None]
    if len(rows) < len(lines):
        log.warning("page views: %d unreadable lines dropped from %s", len(lines) - len(rows), name)
    # A person erased since their view: their views go with them (issue 10), these too.
    user_ids = {row.user_id for row in rows if row.user_id is not None}
    existing = set(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", flat=True))
    rows = [row for row in rows if row.user_id is None or row.user_id in existing]
    try:
        with transaction.atomic():
            PageViewBatch.objects.create(key=name, rows=len(rows))
            PageView.objects.bulk_create(rows, batch_size=1000)
    except IntegrityError:
        # The key is in the table after all: a flush running at the same time wrote it.
        if not PageViewBatch.objects.filter(key=name).exists():
            raise
        return 0
    return len(rows)


def batch_drop(*, name: str) -> None:
    """Delete batch ``name`` from Redis (once it is in the table)."""
    pipe = _redis().pipeline(transaction=False)
    pipe.delete(_key(name))
    pipe.srem(_key(IN_FLIGHT), name)
    pipe.execute()


@dataclass(frozen=True)
class FlushResult:
    rows: int  # page views written
    batches: int  # batches moved out of the list and written
    recovered: int  # batches left by an interrupted flush, finished now


def page_views_flush(*, batch_size: int | None = None, max_batches: int | None = None) -> FlushResult:
    """Move the recorded page views from Redis into ``PageView``, batch by batch (see the module).

    First finishes any batch an interrupted flush left, then moves at most ``max_batches``
    batches of ``batch_size`` lines (``PAGE_VIEWS_FLUSH_BATCH`` and ``PAGE_VIEWS_FLUSH_MAX_BATCHES``).
    Safe to run at the same time as another flush and to rerun after any failure.
    """
    batch_size = min(batch_size or settings.PAGE_VIEWS_FLUSH_BATCH, 50_000)
    max_batches = max_batches or settings.PAGE_VIEWS_FLUSH_MAX_BATCHES
    rows = batches = recovered = 0
    for name in batches_in_flight():
        rows += batch_store(name=name)
        batch_drop(name=name)
        recovered += 1
    for _ in range(max_batches):
        name = batch_take(batch_size=batch_size)
        if name is None:
            break
        rows += batch_store(name=name)
        batch_drop(name=name)
        batches += 1
    return FlushResult(rows=rows, batches=batches, recovered=recovered)


@dataclass(frozen=True)
class RetentionResult:
    truncated: int  # rows whose address was cut to its network
    deleted: int  # rows deleted
    batches_deleted: int  # old PageViewBatch rows deleted


def page_views_retention_apply(*, now: datetime | None = None) -> RetentionResult:
    """Cut addresses older than ``PAGE_VIEWS_IP_DAYS`` to their network, delete rows older than
    ``PAGE_VIEWS_KEEP_DAYS`` (and batch keys older than ``PAGE_VIEWS_BATCH_KEEP_DAYS``).

    IPv4 addresses keep their /24, IPv6 their /48: the provider and region an address says
    something about stay readable for the statement's "trends", while the address no longer
    names one connection. In chunks, so no statement holds locks long; rerunnable at any time.
    """
    now = now or clock.now()
    ip_before = now - timedelta(days=settings.PAGE_VIEWS_IP_DAYS)
    keep_after = now - timedelta(days=settings.PAGE_VIEWS_KEEP_DAYS)
    deleted = 0
    while True:
        ids = PageView.objects.filter(viewed_at__lt=keep_after).values("pk")[:_DELETE_CHUNK]
        count, _ = PageView.objects.filter(pk__in=ids).delete()
        deleted += count
        if count < _DELETE_CHUNK:
            break
    truncated = 0
    while True:
        ids = PageView.objects.filter(viewed_at__lt=ip_before, ip_truncated=False).values("pk")[
            :_DELETE_CHUNK
        ]
        cut = RawSQL(_TRUNCATED_IP, ())  # noqa: S611 (a constant of this module, no input in it)
        count = PageView.objects.filter(pk__in=ids).update(ip=cut, ip_truncated=True)
        truncated += count
        if count < _DELETE_CHUNK:
            break
    batches_deleted, _ = PageViewBatch.objects.filter(
        written_at__lt=now - timedelta(days=settings.PAGE_VIEWS_BATCH_KEEP_DAYS)
    ).delete()
    return RetentionResult(truncated=truncated, deleted=deleted, batches_deleted=batches_deleted)


def page_views_waiting() -> int | None:
    """Page views recorded in Redis and not yet written (None when Redis cannot be reached)."""
    try:
        client = _redis()
        pipe = client.pipeline(transaction=False)
        pipe.llen(_key(BUFFER))
        pipe.smembers(_key(IN_FLIGHT))
        buffered, in_flight = pipe.execute()
        for name in in_flight:
            buffered += client.llen(_key(name.decode()))
        return buffered
    except (RedisError, OSError):
        return None
