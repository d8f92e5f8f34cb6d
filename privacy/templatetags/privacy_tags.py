"""Template tags of the privacy pages: the footer's share links."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("privacy/_share_links.html")
def share_links():
    """Plain links to share the portal's address (SITE_URL): no script or image of a network, no cookie."""
    return {"share_url": settings.SITE_URL.rstrip("/") + "/"}
