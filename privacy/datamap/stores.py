"""Personal data outside the database's models, kept by hand (no test can see these; review them
when a cache key, a log line or a cookie is added). docs/data-map.md lists them after the models.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Store:
    where: str
    what: str
    lifetime: str
    erasure: str


OTHER_STORES = (
    Store(
        where="Redis: login lock-out counters (accounts.services.login_lockout)",
        what="keys login:pair/ip/account/slow: the account key user:<pk> (or a hash of a typed address) and a hash of the client address",
        lifetime=(
            "LOGIN_LOCKOUT_SECONDS (15 min) after the last failure; the per-account count an hour; "
            "login:gen:user:<pk> has no expiry"
        ),
        erasure="the account's keys are deleted, login:gen:user:<pk> included",
    ),
    Store(
        where="Redis: rate limits and mail caps (accounts.services.rate_limits)",
        what="counts under a hash of the user id, the client address or the email address",
        lifetime="the window, at most one hour",
        erasure="expire by themselves within the hour",
    ),
    Store(
        where="Redis: mandate-return throttles (meters.services.sync)",
        what="mandate-return:call|queued:<reference>",
        lifetime="60 seconds",
        erasure="expire by themselves",
    ),
    Store(
        where="Redis: page views not yet written (privacy.services.page_views)",
        what="lines of time, path, client address and user id, under pageviews:buffer and pageviews:batch:*",
        lifetime="until the next flush (PAGE_VIEWS_FLUSH_SECONDS, a minute); at most PAGE_VIEWS_BUFFER_MAX lines",
        erasure="written to privacy.PageView within a minute; a view of a person erased meanwhile is dropped there",
    ),
    Store(
        where="Redis: Celery queues and results",
        what="task arguments (ids of meters, users, date ranges) and results",
        lifetime="queued until run; results 24 h (CELERY_RESULT_EXPIRES)",
        erasure="an erasure removes queued messages naming their meters or account (privacy.services.redis_sweep); a task already taken finds nothing to do",
    ),
    Store(
        where="The erasure ledger (ERASURE_LEDGER_PATH, privacy.services.erasure)",
        what="one line per erasure receipt: its id, the keyed hash of the person's address, what and how, when, the staff id",
        lifetime="kept: replay_erasures needs it after every restore",
        erasure="holds no personal data beyond the keyed hash (decision 0005)",
    ),
    Store(
        where="The DPO mailbox (DPO_IMAP_URL): folders Verwerkt and Geweigerd",
        what="deletion requests as mailed: sender, name, text",
        lifetime="until the person's erasure; handled mail is moved, not deleted",
        erasure="a personal erasure deletes the mail from their exact address in the inbox and both folders (privacy.services.imap)",
    ),
    Store(
        where="Browser cookies",
        what="session, CSRF, language and known-device cookies: privacy/cookies.py lists every one",
        lifetime="per cookie, in the cookie policy",
        erasure="the session row is deleted; the known-device cookie no longer matches an account",
    ),
    Store(
        where="Application logs",
        what="user ids, EANs and mandate references in warnings (refused fetches, refused meter links)",
        lifetime="the host's log rotation",
        erasure="rotated out; the erasure service logs ids only",
    ),
    Store(
        where="Outgoing mail",
        what="verification, reset, fault and mandate-link mails at the mail provider",
        lifetime="the provider's retention",
        erasure="outside the portal: named in the privacy statement",
    ),
)
