"""Forget an erased person in Redis (issue 10): their keys, cached values and queued tasks.

Redis holds, per ``privacy.datamap.stores``: login lock-out counters (``login:gen:user:<pk>``,
removed by ``accounts.services.erasure``), rate-limit counters under hashes (they expire within
the hour and name no one), the Django cache, and Celery's queues and results. What can name a
person there is a value (email, EAN, mandate reference, name, phone) or, in a queued task, the
id of their meter or account. So every key of the portal's Redis databases is scanned: a key
whose name or value holds one of the person's values is deleted (an element of a list, set or
hash: only that element); a Celery message (its body is base64 JSON) is decoded and removed
when its task names one of their meters or their account, or holds one of their values. A
worker that already took a task finds nothing to do: the mandates are ended and the rows gone.
"""

from __future__ import annotations

import base64
import json
import logging

import redis
from django.conf import settings

from ilusmart.erasure import Person

logger = logging.getLogger("ilusmart.privacy")

# Tasks whose first argument is a meter's id, and those whose keyword user_id is an account.
METER_TASKS = {
    "meters.sync_meter_daily",
    "meters.backfill_meter",
    "meters.sync_meter_range",
    "meters.detect_faults_meter",
}


def redis_urls() -> list[str]:
    """The Redis databases the portal writes: cache, broker and results (each once)."""
    urls = [
        settings.CACHES["default"]["LOCATION"],
        settings.CELERY_BROKER_URL,
        settings.CELERY_RESULT_BACKEND,
    ]
    return list(dict.fromkeys(u for u in urls if isinstance(u, str) and u.startswith("redis")))


def _celery_names(raw: bytes, person: Person) -> bool:
    """Whether a Celery message (kombu's JSON envelope, as queued in Redis) is about ``person``."""
    try:
        envelope = json.loads(raw)
        if isinstance(envelope, list):  # the 'unacked' hash keeps [message, exchange, routing key]
            envelope = envelope[0]
        task = envelope.get("headers", {}).get("task", "")
        body = envelope.get("body", "")
        if envelope.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        decoded = body if isinstance(body, bytes) else str(body).encode()
        payload = json.loads(decoded)
    except (ValueError, TypeError, AttributeError, IndexError):
        return False
    args, kwargs = (payload[0], payload[1]) if isinstance(payload, list) and len(payload) >= 2 else ([], {})
    if task in METER_TASKS and args and args[0] in person.meter_ids:
        return True
    if isinstance(kwargs, dict) and kwargs.get("user_id") == person.user_id:
        return True
    return _holds(decoded, person)


def _holds(value: bytes, person: Person) -> bool:
    lowered = value.lower()
    return any(n.lower().encode() in lowered for n in person.needles)


def person_forget(*, person: Person, personal: bool = True) -> int:
    """Remove from every portal Redis database what is about ``person``; how many entries went.

    A meter-data erasure removes their queued tasks only; a personal one also every key and value
    holding one of their values.
    """
    removed = 0
    for url in redis_urls():
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(count=1000):
            removed += _sweep_key(client, key, person, personal)
    return removed


def _sweep_key(client, key: bytes, person: Person, personal: bool) -> int:
    kind = client.type(key)
    if personal and _holds(key, person):
        return client.delete(key)
    if kind == b"string":
        value = client.get(key) or b""
        if (personal and _holds(value, person)) or (value[:1] == b"{" and _celery_names(value, person)):
            return client.delete(key)
        return 0
    if kind == b"list":
        count = 0
        for element in client.lrange(key, 0, -1):
            if _celery_names(element, person) or (personal and _holds(element, person)):
                count += client.lrem(key, 1, element)
        return count
    if kind == b"hash":
        fields = [
            f
            for f, v in client.hgetall(key).items()
            if _celery_names(v, person) or (personal and (_holds(f, person) or _holds(v, person)))
        ]
        return client.hdel(key, *fields) if fields else 0
    if kind == b"set" and personal:
        members = [m for m in client.smembers(key) if _holds(m, person)]
        return client.srem(key, *members) if members else 0
    if kind == b"zset":
        members = [
            m
            for m in client.zrange(key, 0, -1)
            if _celery_names(m, person) or (personal and _holds(m, person))
        ]
        return client.zrem(key, *members) if members else 0
    return 0
