"""The accounts app's share of erasing a person (issue 10): the account and what hangs on it.

Called by ``privacy.services.erasure.person_erase`` last, once the other apps have cut their
links to the account (meters and mandates protect it). Deletes the profile, sessions, email
changes, second-factor devices and login-attempt records as the data map says, cuts the access
records' link to the customer, forgets the login counters in Redis, puts the address's keyed
hash on the suppression list, and deletes the account.
"""

from django.core.cache import cache

from accounts.services.suppression import address_suppress
from ilusmart.erasure import ErasureJob

# Rows that point at others first; the account itself last.
ORDER = (
    "sessions.session",
    "accounts.usersession",
    "accounts.emailchange",
    "accounts.profile",
    "otp_static.statictoken",
    "otp_static.staticdevice",
    "otp_totp.totpdevice",
    "axes.accessattemptexpiration",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
)
OWN_APPS = ("accounts", "sessions", "otp_static", "otp_totp", "axes", "auth")


def account_erase(*, job: ErasureJob) -> None:
    """Erase ``job.person``'s account and its rows (a personal erasure only; meter data keeps it)."""
    if not job.personal:
        return
    person = job.person
    address_suppress(email_hash=person.hash)
    for label in ORDER:
        job.erase(label)
    # The access log keeps who of staff looked and when; only the link to the customer goes
    # (the append-only trigger allows exactly this change, migration 0007).
    job.erase("accounts.accessrecord")
    for app_label in OWN_APPS:
        for label in job.labels(app_label):
            if label not in ORDER and label not in ("accounts.user", "accounts.accessrecord"):
                job.erase(label)  # a model added later: as the map says
    cache.delete(f"login:gen:user:{person.user_id}")
    job.erase("accounts.user")
