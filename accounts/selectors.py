"""Reads on users and profiles."""

from accounts.models import Profile, User


def profile_for_user(*, user) -> Profile:
    """The logged-in user's profile; an unsaved empty one for accounts made without sign-up."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


def user_for_login(*, identifier: str) -> User | None:
    """The account a login with ``identifier`` (an email address, any case) is for, or None.

    The one lookup of every login path (the authentication backend) and of the lock-out
    counters, so both always agree on whose account an attempt was on.
    """
    return User.objects.filter(email__iexact=identifier.strip()).first()
