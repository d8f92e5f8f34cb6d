"""Helpers shared by the homeowner views of the meters app."""

from django.http import Http404

from meters.models import Meter
from meters.selectors import meter_for_user


def own_meter(request, meter_id) -> Meter:
    """The signed-in homeowner's meter ``meter_id``; 404 for anyone else's or an unknown id."""
    try:
        return meter_for_user(user=request.user, meter_id=meter_id)
    except Meter.DoesNotExist as exc:
        raise Http404 from exc
