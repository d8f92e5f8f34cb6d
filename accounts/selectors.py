"""Reads on users and profiles."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import ApiToken, Profile, SuppressedAddress, User, UserSession
from accounts.services.api_tokens import api_token_idle_limit
from accounts.services.sessions import session_limits
from ilusmart import clock
from ilusmart.erasure import email_hash


def profile_for_user(*, user) -> Profile:
    """The logged-in user's profile; an unsaved empty one for accounts made without sign-up."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


def user_for_login(*, identifier: str) -> User | None:
    """The account a login with ``identifier`` (an email address, any case) is for, or None.

    The one lookup of every login path (the authentication backend) and of the lock-out
    counters, so both always agree on whose account an attempt was on.
    """
    return User.objects.filter(email__iexact=identifier.strip()).first()


def sessions_for_user(*, user) -> list[UserSession]:
    """``user``'s logged-in browsers that can still be used (within both lifetimes), last seen first.

    A session that was ended is deleted with its row (accounts.services.sessions), so what is
    left and not past its idle or absolute lifetime is live.
    """
    limits = session_limits(user=user)
    now = timezone.now()  # the sessions' own clock (real time), like their expiry
    return list(
        UserSession.objects.filter(
            user=user,
            last_seen_at__gte=now - timedelta(seconds=limits.idle_seconds),
            created_at__gte=now - timedelta(seconds=limits.max_seconds),
        ).order_by("-last_seen_at", "-pk")
    )


def address_suppressed(*, email: str) -> bool:
    """Whether ``email``'s owner had it erased (issue 10): sign-up and imports then add nothing."""
    return SuppressedAddress.objects.filter(email_hash=email_hash(email)).exists()


def api_tokens_for_user(*, user):
    """``user``'s mobile-app tokens that still work (used within the idle limit), last used first."""
    return ApiToken.objects.filter(
        user=user, last_used_at__gte=clock.now() - api_token_idle_limit()
    ).order_by("-last_used_at", "-pk")
