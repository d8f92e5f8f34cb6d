"""Who is calling: a bearer token of the mobile app, or the website's own session (with CSRF)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header

from accounts.services.api_tokens import api_token_authenticate


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` with a token from ``POST /api/v1/auth/token/``.

    Staff accounts get no API access by token: theirs needs the second factor of the admin.
    """

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Geef het token na 'Bearer ', zonder spaties."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Dit token is niet geldig.")) from exc
        token = api_token_authenticate(raw=raw)
        if token is None or token.user.is_staff or token.user.is_superuser:
            raise exceptions.AuthenticationFailed(
                _("Dit token is niet (meer) geldig: onbekend, ingetrokken of 90 dagen niet gebruikt.")
            )
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class CsrfSessionAuthentication(SessionAuthentication):
    """The website's session cookie; every unsafe method needs the CSRF token (``X-CSRFToken``)."""
