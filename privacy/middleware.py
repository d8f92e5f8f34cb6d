"""Records each page view a person sees (privacy.services.page_views): the statement's log files.

What counts as a page view: a GET answered 200 with an HTML page. Not counted: redirects,
errors, form posts, JSON (the API, ``/healthz``), static files (WhiteNoise answers them before
this middleware), ``security.txt``, and the staff admin (``ADMIN_URL``): the admin is a tool of
staff with its own audit (access records), not a page of the site the statement speaks of.

The page is the path without the query string: a query holds search terms and choices
(``?q=``, ``?versie=``), sometimes personal, and adds nothing to "which page". A path with a
secret in it (a one-time link's token) is recorded as its route instead
(``/accounts/bevestigen/<str:token>/``), so no token lands in the log.
"""

import logging

from django.conf import settings
from redis.exceptions import RedisError

from accounts.client_ip import client_ip_address
from privacy.services.page_views import page_view_record

log = logging.getLogger("ilusmart.page_views")

# URL arguments that are secrets (one-time links, signed tokens): such a path is logged as its route.
# token_id (an app token's row, issue 11) is no secret, but masking it costs nothing.
SECRET_URL_ARGUMENTS = {"token", "uidb64", "signature", "signed", "key", "token_id"}


def page_path(request) -> str:
    """The page of ``request`` as the log keeps it (see the module docstring)."""
    match = request.resolver_match
    if match is not None and SECRET_URL_ARGUMENTS & set(match.kwargs):
        return "/" + match.route
    return request.path


class PageViewMiddleware:
    """Pushes one line per page view onto Redis after the page is made; never fails the page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.excluded = (f"/{settings.ADMIN_URL}", "/api/", f"/{settings.STATIC_URL.lstrip('/')}")

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(self.excluded)
        ):
            user = request.user
            try:
                page_view_record(
                    path=page_path(request),
                    ip=client_ip_address(request),
                    user_id=user.pk if user.is_authenticated else None,
                )
            except (RedisError, OSError) as error:
                log.warning("page view not recorded: %s", type(error).__name__)
        return response
