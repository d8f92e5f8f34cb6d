"""The personal-data map of the installed third-party apps: Django's own, django-axes, django-otp."""

from privacy.datamap.rules import (
    EXPORT,
    NO_EXPORT,
    Erasure,
    ModelRule,
    Rows,
    actor,
    link,
    not_personal,
    personal,
)

ERASE, ANONYMISE, KEEP = Erasure.ERASE, Erasure.ANONYMISE, Erasure.KEEP

_WITHHELD_CREDENTIAL = (
    "a secret of their second factor: handing it out would weaken their account, not inform them"
)
_DEVICE_SETTING = "a technical setting of their authenticator, not information about them"
_AXES_EMPTY = (
    "login lock-out records; our handler keeps its counters in Redis (AXES_HANDLER), so these tables stay "
    "empty; should a row appear it holds an address and the account key of a login attempt"
)
_AXES_TECHNICAL = "what the browser sent with the attempt: technical, may echo what was typed"

DJANGO = {
    "admin.logentry": ModelRule(
        subject=("@logentry",),
        rows=Rows.ANONYMISE,
        reason=(
            "the admin's history of staff changes (art. 5(2) accountability): who of staff changed what and when "
            "is kept; the object's name and the message, which may hold the person's name or email, are replaced"
        ),
        fields={
            "id": not_personal(KEEP),
            "action_time": personal(EXPORT, KEEP, "evidence of when staff changed their data"),
            "user": actor(
                KEEP, "who of staff made the change: kept as evidence (Django deletes it with that account)"
            ),
            "content_type": personal(EXPORT, KEEP, "which kind of row was changed (exported as its name)"),
            "object_id": personal(EXPORT, KEEP, "a row id: once the row is gone it leads to no one"),
            "object_repr": personal(
                EXPORT, ANONYMISE, "the row's name (email, full name): replaced by a placeholder"
            ),
            "action_flag": personal(EXPORT, KEEP, "added, changed or deleted: evidence"),
            "change_message": personal(
                EXPORT, ANONYMISE, "may name an added inline row: replaced by a placeholder"
            ),
        },
    ),
    "auth.permission": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="the permissions Django defines per model",
        fields={
            "id": not_personal(),
            "name": not_personal(),
            "content_type": not_personal(),
            "codename": not_personal(),
        },
    ),
    "auth.group": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="staff roles (support, dpo); who is in them lives on the user (groups)",
        fields={"id": not_personal(), "name": not_personal(), "permissions": not_personal()},
    ),
    "contenttypes.contenttype": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="Django's list of models",
        fields={"id": not_personal(), "app_label": not_personal(), "model": not_personal()},
    ),
    "sessions.session": ModelRule(
        subject=("@session",),
        rows=Rows.DELETE,
        reason="logged-in sessions: keys to the account, ended and deleted with it",
        fields={
            "session_key": personal(NO_EXPORT, ERASE, "the key of a logged-in browser: a credential"),
            "session_data": personal(
                NO_EXPORT, ERASE, "the login, its times and the second factor's device: credentials"
            ),
            "expire_date": personal(NO_EXPORT, ERASE, "goes with the session key"),
        },
    ),
}

SECURITY = {
    "axes.accessattempt": ModelRule(
        subject=("@axes",),
        rows=Rows.DELETE,
        reason=_AXES_EMPTY,
        fields={
            "id": not_personal(ERASE),
            "user_agent": personal(EXPORT, ERASE),
            "ip_address": personal(EXPORT, ERASE),
            "username": link(ERASE, "the account key (user:<pk>): the person themselves"),
            "http_accept": personal(NO_EXPORT, ERASE, _AXES_TECHNICAL),
            "path_info": personal(EXPORT, ERASE),
            "attempt_time": personal(EXPORT, ERASE),
            "get_data": personal(NO_EXPORT, ERASE, _AXES_TECHNICAL),
            "post_data": personal(NO_EXPORT, ERASE, _AXES_TECHNICAL),
            "failures_since_start": personal(EXPORT, ERASE),
        },
    ),
    "axes.accessattemptexpiration": ModelRule(
        subject=("@axes",),
        rows=Rows.DELETE,
        reason=_AXES_EMPTY,
        fields={
            "access_attempt": personal(NO_EXPORT, ERASE, "the attempt it belongs to (exported there)"),
            "expires_at": personal(EXPORT, ERASE),
        },
    ),
    "axes.accesslog": ModelRule(
        subject=("@axes",),
        rows=Rows.DELETE,
        reason=_AXES_EMPTY,
        fields={
            "id": not_personal(ERASE),
            "user_agent": personal(EXPORT, ERASE),
            "ip_address": personal(EXPORT, ERASE),
            "username": link(ERASE, "the account key (user:<pk>): the person themselves"),
            "http_accept": personal(NO_EXPORT, ERASE, _AXES_TECHNICAL),
            "path_info": personal(EXPORT, ERASE),
            "attempt_time": personal(EXPORT, ERASE),
            "logout_time": personal(EXPORT, ERASE),
            "session_hash": personal(NO_EXPORT, ERASE, "a hash of a session key: a credential"),
        },
    ),
    "axes.accessfailurelog": ModelRule(
        subject=("@axes",),
        rows=Rows.DELETE,
        reason=_AXES_EMPTY,
        fields={
            "id": not_personal(ERASE),
            "user_agent": personal(EXPORT, ERASE),
            "ip_address": personal(EXPORT, ERASE),
            "username": link(ERASE, "the account key (user:<pk>): the person themselves"),
            "http_accept": personal(NO_EXPORT, ERASE, _AXES_TECHNICAL),
            "path_info": personal(EXPORT, ERASE),
            "attempt_time": personal(EXPORT, ERASE),
            "locked_out": personal(EXPORT, ERASE),
        },
    ),
    "otp_totp.totpdevice": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="a staff member's authenticator app (homeowners have none)",
        fields={
            "id": not_personal(ERASE),
            "user": link(ERASE),
            "name": personal(EXPORT, ERASE),
            "confirmed": personal(EXPORT, ERASE),
            "throttling_failure_timestamp": personal(EXPORT, ERASE),
            "throttling_failure_count": personal(EXPORT, ERASE),
            "created_at": personal(EXPORT, ERASE),
            "last_used_at": personal(EXPORT, ERASE),
            "key": personal(NO_EXPORT, ERASE, _WITHHELD_CREDENTIAL),
            "step": personal(NO_EXPORT, ERASE, _DEVICE_SETTING),
            "t0": personal(NO_EXPORT, ERASE, _DEVICE_SETTING),
            "digits": personal(NO_EXPORT, ERASE, _DEVICE_SETTING),
            "tolerance": personal(NO_EXPORT, ERASE, _DEVICE_SETTING),
            "drift": personal(NO_EXPORT, ERASE, _DEVICE_SETTING),
            "last_t": personal(NO_EXPORT, ERASE, _WITHHELD_CREDENTIAL),
        },
    ),
    "otp_static.staticdevice": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="a staff member's recovery codes (homeowners have none)",
        fields={
            "id": not_personal(ERASE),
            "user": link(ERASE),
            "name": personal(EXPORT, ERASE),
            "confirmed": personal(EXPORT, ERASE),
            "throttling_failure_timestamp": personal(EXPORT, ERASE),
            "throttling_failure_count": personal(EXPORT, ERASE),
            "created_at": personal(EXPORT, ERASE),
            "last_used_at": personal(EXPORT, ERASE),
        },
    ),
    "otp_static.statictoken": ModelRule(
        subject=("device__user",),
        rows=Rows.DELETE,
        reason="one recovery code",
        fields={
            "id": not_personal(ERASE),
            "device": personal(NO_EXPORT, ERASE, "the device it belongs to (exported there)"),
            "token": personal(NO_EXPORT, ERASE, _WITHHELD_CREDENTIAL),
        },
    ),
}
