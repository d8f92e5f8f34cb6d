"""Reads on users and profiles."""

from accounts.models import Profile


def profile_for_user(*, user) -> Profile:
    """The logged-in user's profile; an unsaved empty one for accounts made without sign-up."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)
