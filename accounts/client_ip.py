"""The client's IP address, as far as our own reverse proxies vouch for it.

``TRUSTED_PROXY_COUNT`` says how many reverse proxies we run in front of Django, each appending
the address it received the connection from to ``X-Forwarded-For``. Only those appended entries
are ours; everything to their left was written by the client and can be anything. So:

* ``TRUSTED_PROXY_COUNT = 0`` (default): ``X-Forwarded-For`` is ignored, ``REMOTE_ADDR`` is the client.
* ``TRUSTED_PROXY_COUNT = n``: the client is the n-th entry from the right, the one the
  outermost of our proxies appended. Never the left-most, which an attacker rotates at will to
  escape a lock-out or to lock a victim out by naming the victim's address.

django-ipware does the parsing (IPv6, ports, brackets, junk). Its ``proxy_count`` counts the
proxies listed *inside* the header (the last proxy's own address is ``REMOTE_ADDR``), hence
``n - 1``; strict mode is off so that extra entries the client prepended are ignored rather
than making the whole header fall back to the proxy's address. This is axes'
``AXES_CLIENT_IP_CALLABLE`` and the one function the rest of the project uses for the client IP.
"""

from django.conf import settings
from ipware.ip import get_client_ip

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def client_ip_address(request) -> str:
    """The client's IP address (``"unknown"`` when the request carries none)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    if proxies <= 0:
        return remote
    ip, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=proxies - 1,
        request_header_order=(FORWARDED_FOR,),
        strict=False,
    )
    # A request without enough forwarded entries did not come through all our proxies (or a
    # proxy is misconfigured): REMOTE_ADDR is then the only address nobody could forge.
    return ip or remote
