"""View decorators of the accounts app: the rate limit of a page (accounts.services.rate_limits)."""

from functools import wraps

from django.shortcuts import render

from accounts.client_ip import client_ip_address
from accounts.services.rate_limits import RateLimited, rate_limit_take
from ilusmart.errors import http_status


def rate_limited_response(request, refused: RateLimited):
    """The 429 page (site layout, Dutch or English) with ``Retry-After``."""
    minutes = max(1, -(-refused.retry_after // 60))
    # A refusal with its own code says why in its own words ("already 2 downloads running").
    reason = refused.message if refused.code != RateLimited.default_code else ""
    context = {"retry_minutes": minutes, "reason": reason}
    response = render(request, "429.html", context, status=http_status(refused))
    response["Retry-After"] = str(refused.retry_after)
    return response


def rate_limited(action: str, *, methods=("POST",)):
    """Count each ``methods`` request to the view against ``settings.RATE_LIMITS[action]``.

    Per logged-in user and per client address; over a limit the view does not run and the
    visitor gets the 429 page. Put it inside ``login_required`` so that an anonymous visitor is
    sent to the login page first.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                user = getattr(request, "user", None)
                try:
                    rate_limit_take(
                        action=action,
                        user_id=user.pk if user is not None and user.is_authenticated else None,
                        ip=client_ip_address(request),
                    )
                except RateLimited as refused:
                    return rate_limited_response(request, refused)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
