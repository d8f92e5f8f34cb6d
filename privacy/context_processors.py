"""Template context of privacy: whether the logged-in person's processing is paused (for the banner).

Lazy: the one query runs only on pages whose template asks (base.html does, for homeowners).
"""

from django.utils.functional import SimpleLazyObject

from consents.selectors.restriction import restriction_active_for_request


def processing_pause(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {"processing_pause": None}
    return {"processing_pause": SimpleLazyObject(lambda: restriction_active_for_request(request))}
