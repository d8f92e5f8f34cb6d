"""Bearer tokens of the mobile app: one per device, stored hashed, revocable, idle-expiring (issue 11).

The app logs in once with email and password (``POST /api/v1/auth/token/``: the same
``authenticate()`` and lock-out as every login path, through ``accounts.forms.LoginForm``) and
gets a token for the device it names; it then sends ``Authorization: Bearer <token>``. Only the
SHA-256 of a token is stored, so the token is shown once. A token unused for
``API_TOKEN_IDLE_DAYS`` days (90) stops working and is deleted when next presented; its owner
lists and revokes tokens in the app (``/api/v1/auth/tokens/``) and on the website
(``accounts:api_tokens``). A password change or reset ends every token of the account
(``api_tokens_end``), as it ends the other browsers' sessions: whoever knew the old password is out.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken
from ilusmart import clock, errors
from ilusmart.errors import ApplicationError

TOKEN_PREFIX = "ilu_"  # noqa: S105 (a prefix that marks our tokens, not a secret)
# "Last used" is written at most this often, so not every API request writes the row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenNotFound(ApplicationError):
    """No such token of this user (another person's token reads the same: 404)."""

    kind = errors.NOT_FOUND
    default_code = "not_found"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_idle_limit() -> timedelta:
    """How long a token may go unused before it stops working."""
    return timedelta(days=settings.API_TOKEN_IDLE_DAYS)


def api_token_create(*, user, device: str) -> tuple[ApiToken, str]:
    """A new token for ``user``'s ``device``: the row and the token itself (shown only now)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken.objects.create(
        user=user, device=device.strip()[:100], digest=_digest(raw), created_at=now, last_used_at=now
    )
    return token, raw


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token ``raw`` is, with its user; None for an unknown, expired or inactive one.

    An expired token is deleted here. Its last use is noted (at most once a minute).
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    try:  # get(), not first(): the digest is unique, and first() would ORDER BY the model's ordering
        token = ApiToken.objects.select_related("user").get(digest=_digest(raw))
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at < now - api_token_idle_limit():
        token.delete()
        return None
    if now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_revoke(*, user, token_id: int) -> None:
    """Revoke (delete) ``user``'s token ``token_id``; ``ApiTokenNotFound`` for any other."""
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise ApiTokenNotFound(_("Deze app-sleutel bestaat niet (meer)."))


def api_tokens_expired_delete() -> int:
    """Delete every token unused for longer than the idle limit; how many went."""
    deleted, _rows = ApiToken.objects.filter(last_used_at__lt=clock.now() - api_token_idle_limit()).delete()
    return deleted


def api_tokens_end(*, user) -> int:
    """Revoke every token of ``user`` (after a password change or reset); how many went."""
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    return deleted
