"""The raw Redis client of Django's default cache, for what the cache API cannot say in one round
trip (a pipeline, a Lua script): the page-view log, the API's throttles."""

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
