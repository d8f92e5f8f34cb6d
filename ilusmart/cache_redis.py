"""The raw Redis client of Django's default cache, for what the cache API cannot say in one round
trip (a pipeline, a Lua script): the page-view log, the API's throttles, the rate limits."""

import functools

from django.core.cache import cache


def cache_redis():
    """The raw client of the cache's Redis (its connection pool; keys under the cache's prefix).

    Kept on the cache's client object: Django's ``get_client`` builds a new ``redis.Redis`` on
    every call, which costs more CPU than a pipelined round trip itself (measured,
    benchmarks/README.md). A ``redis.Redis`` on a pool is safe to share between threads.
    """
    backend = cache._cache
    client = getattr(backend, "_ilusmart_client", None)
    if client is None:
        client = backend._ilusmart_client = backend.get_client(write=True)
    return client


@functools.cache
def _registered(source: str):
    return cache_redis().register_script(source)


def redis_script_run(source: str, *, keys: list[str], args: list):
    """Run the Lua script ``source`` on the cache's Redis in one round trip (registered once per
    process; sent by its SHA, the text only when Redis does not know it yet). ``keys`` are full
    Redis keys (``cache.make_and_validate_key``)."""
    return _registered(source)(keys=keys, args=args, client=cache_redis())
