"""Template tags of the privacy pages: the footer's share links."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("privacy/_share_links.html")
def share_links():
    """Plain links to share the portal's address (SITE_URL): no script or image of a network, no cookie."""
    return {"share_url": settings.SITE_URL.rstrip("/") + "/"}


@register.inclusion_tag("admin/privacy/_pause_card.html", takes_context=True)
def pause_card(context, customer):
    """The customer's pause of processing on a staff page (support console, user admin), with the
    pause/resume form for those allowed (``privacy.restrict_processing``)."""
    from consents.selectors.restriction import restriction_active, restrictions_for_user

    request = context["request"]
    return {
        "customer": customer,
        "pause": restriction_active(user=customer),
        "history": list(restrictions_for_user(user=customer)[:10]),
        "can_restrict": request.user.has_perm("privacy.restrict_processing"),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
