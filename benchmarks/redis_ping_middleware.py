"""A control for benchmarks/page_views.py: a middleware that makes one Redis round trip (PING) and
nothing else, on the same client as the page-view log. Never in settings."""

from privacy.services.page_views import _redis


class RedisPingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        _redis().ping()
        return response
