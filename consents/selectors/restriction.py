"""Reads on the processing restriction ("pause"): is this person's processing paused?

Every sender and every fetch asks ``processing_restricted`` before it acts on a person's data.
"""

from consents.models import ProcessingRestriction


def restriction_active(*, user) -> ProcessingRestriction | None:
    """The person's active restriction, or None."""
    if user is None or user.pk is None:
        return None
    return ProcessingRestriction.objects.filter(user=user, lifted_at__isnull=True).first()


def restriction_active_for_request(request) -> ProcessingRestriction | None:
    """``restriction_active`` of the request's user, read once per request: the page's banner
    (privacy's context processor) and a page that shows the pause itself share one query."""
    try:
        return request._processing_restriction
    except AttributeError:
        user = getattr(request, "user", None)
        authenticated = getattr(user, "is_authenticated", False)
        request._processing_restriction = restriction_active(user=user) if authenticated else None
        return request._processing_restriction


def processing_restricted(*, user) -> bool:
    """True while the person has paused processing (or staff or the DPO paused it for them)."""
    if user is None or user.pk is None:
        return False
    return ProcessingRestriction.objects.filter(user=user, lifted_at__isnull=True).exists()


def restrictions_for_user(*, user):
    """The person's pauses, newest first (the history they and staff see)."""
    return ProcessingRestriction.objects.filter(user=user).select_related("started_by", "lifted_by")


def restricted_user_ids():
    """A subquery of the ids of every person whose processing is paused (for bulk filters)."""
    return ProcessingRestriction.objects.filter(lifted_at__isnull=True).values("user_id")
