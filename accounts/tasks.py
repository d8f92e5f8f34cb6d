"""Celery tasks of accounts: thin wrappers around accounts.services."""

from celery import shared_task

from accounts.services.sessions import sessions_expired_delete


@shared_task(name="accounts.sessions_cleanup")
def sessions_cleanup() -> int:
    """Delete ended logins and their rows in the list of logged-in browsers (daily, by beat)."""
    return sessions_expired_delete()
