"""The personal-data map of the portal's own apps: accounts, consents, meters, privacy.

One entry per model, one line per field. "Personal" is the GDPR's sense: anything about an
identifiable person, so every column of a customer's row is personal except internal ids.
Exports give everything personal except secrets and other people's identities (staff);
erasure follows issue 10: the account and all that identifies the person goes; evidence stays
only where a reason below says why, and then without a link back to the person.
"""

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

# Reasons used more than once.
ROW_ID = "an internal row number; means nothing outside the database"
ANONYMOUS_ONCE_UNLINKED = (
    "kept without any link to the person (owner, EAN and free text are gone): no longer about anyone"
)
EAN_HASH = (
    "replaced by a keyed hash, unless another customer holds that meter now (then it is theirs too): "
    "an audit that names the EAN can still be answered, yet the row names no one"
)

ACCOUNTS = {
    "accounts.user": ModelRule(
        subject=("pk",),
        rows=Rows.DELETE,
        reason="the account itself; the email survives only as a keyed hash on the suppression list (issue 10)",
        notes="Meter.owner and Mandate.user protect the row: meters and mandates are anonymised first.",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "password": personal(
                NO_EXPORT, ERASE, "a hash of their password: worthless to them, useful to an attacker"
            ),
            "last_login": personal(EXPORT, ERASE),
            "is_superuser": personal(EXPORT, ERASE),
            "email": personal(EXPORT, ERASE),
            "is_active": personal(EXPORT, ERASE),
            "is_staff": personal(EXPORT, ERASE),
            "date_joined": personal(EXPORT, ERASE),
            "email_verified_at": personal(EXPORT, ERASE),
            "sessions_ended_at": personal(EXPORT, ERASE),
            "groups": personal(EXPORT, ERASE),
            "user_permissions": personal(EXPORT, ERASE),
        },
    ),
    "accounts.usersession": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="one logged-in browser, for their list of active sessions: goes with the session and the account",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "user": link(ERASE),
            "session_key": personal(NO_EXPORT, ERASE, "the key of a logged-in browser: a credential"),
            "device": personal(EXPORT, ERASE),
            "ip_prefix": personal(EXPORT, ERASE),
            "created_at": personal(EXPORT, ERASE),
            "last_seen_at": personal(EXPORT, ERASE),
        },
    ),
    "accounts.apitoken": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="a mobile-app login of one of their devices (issue 11): goes with the account",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "user": link(ERASE),
            "device": personal(EXPORT, ERASE),
            "digest": personal(NO_EXPORT, ERASE, "the hash of a bearer token: a credential"),
            "created_at": personal(EXPORT, ERASE),
            "last_used_at": personal(EXPORT, ERASE),
        },
    ),
    "accounts.emailchange": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="a change of their email address, asked and confirmed by link: goes with the account",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "user": link(ERASE),
            "old_email": personal(EXPORT, ERASE),
            "new_email": personal(EXPORT, ERASE),
            "confirm_digest": personal(NO_EXPORT, ERASE, "the hash of a one-time link's token: a credential"),
            "cancel_digest": personal(NO_EXPORT, ERASE, "the hash of a one-time link's token: a credential"),
            "requested_at": personal(EXPORT, ERASE),
            "expires_at": personal(EXPORT, ERASE),
            "confirmed_at": personal(EXPORT, ERASE),
            "cancelled_at": personal(EXPORT, ERASE),
        },
    ),
    "accounts.profile": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="the details the privacy statement lists: name, postal address, phone",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "user": link(ERASE),
            "first_name": personal(EXPORT, ERASE),
            "last_name": personal(EXPORT, ERASE),
            "street": personal(EXPORT, ERASE),
            "house_number": personal(EXPORT, ERASE),
            "box": personal(EXPORT, ERASE),
            "postal_code": personal(EXPORT, ERASE),
            "municipality": personal(EXPORT, ERASE),
            "country": personal(EXPORT, ERASE),
            "phone": personal(EXPORT, ERASE),
            "updated_at": personal(EXPORT, ERASE),
        },
    ),
    "accounts.accessrecord": ModelRule(
        subject=("customer_id",),
        rows=Rows.ANONYMISE,
        reason=(
            "the access log of staff (GDPR art. 5(2) accountability, art. 32 security): ids and page names only, "
            "append-only in PostgreSQL. An erasure cuts the link to the customer (the one change the trigger "
            "allows, issue 10), so the record still proves who of staff looked, when and at which page"
        ),
        fields={
            "id": not_personal(KEEP, ROW_ID),
            "at": personal(EXPORT, KEEP),
            "staff_id": actor(
                KEEP, "who of staff looked: theirs, not the customer's (CJEU C-579/21); kept as evidence"
            ),
            "customer_id": link(ANONYMISE, "the person themselves: the link is cut (NULL)"),
            "what": personal(EXPORT, KEEP),
        },
    ),
    "accounts.suppressedaddress": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason=(
            "the suppression list: an erased person's address as a keyed hash only, so that no sign-up or "
            "import adds them again (issue 10); it cannot be read back and leads to no row"
        ),
        fields={
            "id": not_personal(),
            "email_hash": not_personal(
                reason="a keyed hash (HMAC, ERASURE_HASH_KEY): checks a named address, never reveals one"
            ),
            "added_at": not_personal(),
        },
    ),
}

CONSENTS = {
    "consents.mandate": ModelRule(
        subject=("user",),
        rows=Rows.ANONYMISE,
        reason=(
            "Fluvius may audit our data access and wants proof of each mandate (scope, period, approval); "
            "GDPR art. 17(3)(e): the proof is kept, without the person, their EAN or the reference"
        ),
        notes="Mandates are ended at Fluvius first (issue 10); user is PROTECT and not null today.",
        fields={
            "id": not_personal(KEEP, ROW_ID),
            "user": link(ANONYMISE, "the person: the link is cut (NULL)"),
            "reference_number": personal(
                EXPORT, ANONYMISE, "replaced by a keyed hash: an audit naming it can be answered"
            ),
            "ean": personal(EXPORT, ANONYMISE, EAN_HASH),
            "data_service_type": personal(EXPORT, KEEP, "the mandate's scope: evidence for Fluvius"),
            "energy_type": personal(EXPORT, KEEP, "the mandate's scope: evidence for Fluvius"),
            "status": personal(EXPORT, KEEP, "evidence for Fluvius"),
            "renewal_status": personal(EXPORT, KEEP, "evidence for Fluvius"),
            "data_period_from": personal(
                EXPORT, KEEP, "the period we were allowed to read: evidence for Fluvius"
            ),
            "data_period_to": personal(
                EXPORT, KEEP, "the period we were allowed to read: evidence for Fluvius"
            ),
            "expires_at": personal(EXPORT, KEEP, "evidence for Fluvius"),
            "end_reason": personal(EXPORT, KEEP, "evidence for Fluvius"),
            "ended_at": personal(EXPORT, KEEP, "evidence that it was ended"),
            "fetch_suspended_at": personal(EXPORT, KEEP, "evidence that fetching stopped"),
            "requested_at": personal(EXPORT, KEEP, "evidence: when it was asked"),
            "requested_by": actor(ANONYMISE, "who started it (the customer or staff): cut with the person"),
            "short_url_id": personal(EXPORT, ERASE),
            "short_url": personal(EXPORT, ERASE),
            "short_url_valid_to": personal(EXPORT, ERASE),
            "approved_at": personal(EXPORT, KEEP, "evidence: when we saw it approved"),
            "last_polled_at": personal(EXPORT, KEEP, ANONYMOUS_ONCE_UNLINKED),
            "updated_at": personal(EXPORT, KEEP, ANONYMOUS_ONCE_UNLINKED),
        },
    ),
    "consents.cookieconsent": ModelRule(
        subject=("user",),
        rows=Rows.ANONYMISE,
        reason=(
            "proof of a cookie choice or withdrawal (GDPR art. 7(1): the controller shows consent was given); "
            "kept without the person, holds no IP address and nothing of the browser"
        ),
        notes="Choices made without logging in have no user: they name no one we know.",
        fields={
            "id": not_personal(KEEP, ROW_ID),
            "consent_id": personal(
                EXPORT,
                KEEP,
                "a random code, also in the browser's cookie: evidence, names no one once unlinked",
            ),
            "user": link(ANONYMISE, "the person: the link is cut (NULL)"),
            "action": personal(EXPORT, KEEP, "evidence: a choice or a withdrawal"),
            "analytics": personal(EXPORT, KEEP, "evidence: what was chosen"),
            "social_media": personal(EXPORT, KEEP, "evidence: what was chosen"),
            "policy_version": personal(EXPORT, KEEP, "evidence: the cookie policy shown"),
            "cookie_lists": personal(EXPORT, KEEP, "evidence: the cookies the choice was about"),
            "via": personal(EXPORT, KEEP, "evidence: where the choice was made"),
            "at": personal(EXPORT, KEEP, ANONYMOUS_ONCE_UNLINKED),
        },
    ),
    "consents.mandatepollstate": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="the watermark of the status poll",
        fields={
            "id": not_personal(),
            "name": not_personal(),
            "last_updated_until": not_personal(),
            "last_full_poll_at": not_personal(),
        },
    ),
    "consents.fetchrefusal": ModelRule(
        subject=("user",),
        rows=Rows.ANONYMISE,
        reason="the audit of 'no mandate, no fetch' (art. 5(2)): proof that we did not read, kept without the person",
        notes="Rows without a user but with the EAN of their meter: the EAN is anonymised with the meter's (issue 10).",
        fields={
            "id": not_personal(KEEP, ROW_ID),
            "ean": personal(EXPORT, ANONYMISE, EAN_HASH),
            "user": link(ANONYMISE, "the person: the link is cut (NULL)"),
            "reason": personal(EXPORT, KEEP, "why we refused: a fixed sentence naming no one"),
            "at": personal(EXPORT, KEEP, ANONYMOUS_ONCE_UNLINKED),
        },
    ),
    "consents.processingrestriction": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="their pauses of processing (art. 18): about them only, gone with the account",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "user": link(ERASE),
            "source": personal(EXPORT, ERASE),
            "reason": personal(EXPORT, ERASE),
            "started_at": personal(EXPORT, ERASE),
            "started_by": actor(ERASE, "who paused it (the customer, support or the DPO)"),
            "lifted_at": personal(EXPORT, ERASE),
            "lifted_by": actor(ERASE, "who resumed it (the customer, support or the DPO)"),
        },
    ),
    "consents.communicationconsent": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="their yes and no to newsletters, surveys and information per channel: gone with the account",
        notes="After erasure nothing is sent to them at all (no account, no audience), so the proof of an opt-out is not needed.",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "user": link(ERASE),
            "channel": personal(EXPORT, ERASE),
            "topic": personal(EXPORT, ERASE),
            "opted_in": personal(EXPORT, ERASE),
            "source": personal(EXPORT, ERASE),
            "at": personal(EXPORT, ERASE),
            "by": actor(
                ERASE, "who of staff recorded it on the customer's request (empty when the customer did)"
            ),
        },
    ),
}

_METER_LINK = "which meter: exported as its EAN"
METERS = {
    "meters.meter": ModelRule(
        subject=("owner",),
        rows=Rows.ANONYMISE,
        reason=(
            "the meter row stays for its readings' integrity while another customer may hold it; "
            "the person's link, EAN, number and name for it go"
        ),
        notes="A meter-data request deletes its readings (meter_data models) and keeps the meter.",
        fields={
            "id": not_personal(KEEP, ROW_ID),
            "ean": personal(EXPORT, ANONYMISE, EAN_HASH),
            "owner": link(ANONYMISE, "the person: the link is cut (NULL)"),
            "meter_id": personal(EXPORT, ERASE),
            "label": personal(EXPORT, ERASE),
            "created_at": personal(EXPORT, KEEP, ANONYMOUS_ONCE_UNLINKED),
            "fault_email": personal(EXPORT, ERASE),
        },
    ),
    "meters.product": ModelRule(
        subject=("meter__owner",),
        rows=Rows.DELETE,
        reason="the portal's copy of the installation at their home (iLumen's own records live elsewhere)",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "meter": personal(EXPORT, ERASE, _METER_LINK),
            "kind": personal(EXPORT, ERASE),
            "kwp": personal(EXPORT, ERASE),
            "panel_count": personal(EXPORT, ERASE),
            "inverter_make": personal(EXPORT, ERASE),
            "inverter_model": personal(EXPORT, ERASE),
            "inverter_serial": personal(EXPORT, ERASE),
            "installed_on": personal(EXPORT, ERASE),
            "notes": personal(EXPORT, ERASE),
        },
    ),
    "meters.readingday": ModelRule(
        subject=("meter__owner",),
        rows=Rows.DELETE,
        meter_data=True,
        export_as="csv",
        reason=(
            "quarter-hour offtake and injection: a household's profile cannot be made anonymous "
            "(Fluvius holds the same series for the EAN), so it goes with a meter-data or an account erasure"
        ),
        fields={
            "meter": personal(EXPORT, ERASE, _METER_LINK),
            "day": personal(EXPORT, ERASE),
            "offtake_wh": personal(EXPORT, ERASE),
            "injection_wh": personal(EXPORT, ERASE),
            "offtake_quality": personal(EXPORT, ERASE),
            "injection_quality": personal(EXPORT, ERASE),
        },
    ),
    "meters.dailytotal": ModelRule(
        subject=("meter__owner",),
        rows=Rows.DELETE,
        meter_data=True,
        export_as="csv",
        reason="derived from the readings, goes with them",
        fields={
            "meter": personal(EXPORT, ERASE, _METER_LINK),
            "day": personal(EXPORT, ERASE),
            "offtake_wh": personal(EXPORT, ERASE),
            "injection_wh": personal(EXPORT, ERASE),
            "offtake_day_wh": personal(EXPORT, ERASE),
            "offtake_night_wh": personal(EXPORT, ERASE),
            "injection_day_wh": personal(EXPORT, ERASE),
            "injection_night_wh": personal(EXPORT, ERASE),
            "peak_offtake_w": personal(EXPORT, ERASE),
            "peak_offtake_slot": personal(EXPORT, ERASE),
            "slots_expected": personal(EXPORT, ERASE),
            "offtake_slots_present": personal(EXPORT, ERASE),
            "injection_slots_present": personal(EXPORT, ERASE),
            "estimated_values": personal(EXPORT, ERASE),
            "imported_values": personal(EXPORT, ERASE),
        },
    ),
    "meters.metersyncstate": ModelRule(
        subject=("meter__owner",),
        rows=Rows.DELETE,
        meter_data=True,
        reason="where the meter's sync stands: about their data, goes with it",
        fields={
            "meter": personal(EXPORT, ERASE, _METER_LINK),
            "last_success_at": personal(EXPORT, ERASE),
            "last_error_at": personal(EXPORT, ERASE),
            "last_error": personal(EXPORT, ERASE),
            "next_run_at": personal(EXPORT, ERASE),
            "backfill_from": personal(EXPORT, ERASE),
            "backfill_to": personal(EXPORT, ERASE),
            "backfill_done_until": personal(EXPORT, ERASE),
            "backfill_done_from": personal(EXPORT, ERASE),
            "insert_time_watermark": personal(EXPORT, ERASE),
            "data_until": personal(EXPORT, ERASE),
        },
    ),
    "meters.syncdeadletter": ModelRule(
        subject=("meter__owner",),
        rows=Rows.DELETE,
        meter_data=True,
        reason="a failed sync of their meter, for an operator: goes with their data",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "meter": personal(EXPORT, ERASE, _METER_LINK),
            "task": personal(EXPORT, ERASE),
            "arguments": personal(EXPORT, ERASE),
            "error": personal(EXPORT, ERASE),
            "created_at": personal(EXPORT, ERASE),
            "resolved_at": personal(EXPORT, ERASE),
        },
    ),
    "meters.capacitytariffprice": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="the grid operator's published prices",
        fields={
            "id": not_personal(),
            "grid_operator": not_personal(),
            "label": not_personal(),
            "price_eur_per_kw_year": not_personal(),
            "valid_from": not_personal(),
            "valid_to": not_personal(),
        },
    ),
    "meters.energytariff": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="typical energy prices staff keep for the battery what-if",
        fields={
            "id": not_personal(),
            "label": not_personal(),
            "offtake_day_eur_per_kwh": not_personal(),
            "offtake_night_eur_per_kwh": not_personal(),
            "injection_eur_per_kwh": not_personal(),
            "fixed_eur_per_year": not_personal(),
            "valid_from": not_personal(),
            "valid_to": not_personal(),
        },
    ),
    "meters.hometariff": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="the prices of their own energy contract, entered by them for the battery what-if",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "user": link(ERASE, "whose contract figures these are"),
            "offtake_day_eur_per_kwh": personal(EXPORT, ERASE),
            "offtake_night_eur_per_kwh": personal(EXPORT, ERASE),
            "injection_eur_per_kwh": personal(EXPORT, ERASE),
            "fixed_eur_per_year": personal(EXPORT, ERASE),
            "capacity_eur_per_kw_year": personal(EXPORT, ERASE),
            "updated_at": personal(EXPORT, ERASE),
        },
    ),
    "meters.readingimport": ModelRule(
        subject=("customer", "meter__owner"),
        rows=Rows.DELETE,
        meter_data=True,
        reason="the audit of a CSV upload of their readings: goes with the readings",
        notes="customer is whose data the file was; meter__owner also finds rows from before that column existed.",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "meter": personal(EXPORT, ERASE, _METER_LINK),
            "uploaded_by": actor(ERASE),
            "customer": link(ERASE, "whose data the file is (the meter's owner when it was imported)"),
            "filename": personal(EXPORT, ERASE),
            "uploaded_at": personal(EXPORT, ERASE),
            "status": personal(EXPORT, ERASE),
            "summary": personal(EXPORT, ERASE),
            "progress": personal(EXPORT, ERASE),
            "finished_at": personal(EXPORT, ERASE),
        },
    ),
    "meters.readingimportfile": ModelRule(
        subject=("reading_import__customer", "reading_import__meter__owner"),
        rows=Rows.DELETE,
        meter_data=True,
        reason="an uploaded file waiting for the import task (deleted once read): goes with its import",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "reading_import": personal(NO_EXPORT, ERASE, "which upload: its audit row is exported"),
            "content": personal(NO_EXPORT, ERASE, "their readings, exported as readings once imported"),
            "size_bytes": personal(NO_EXPORT, ERASE, "the size of the file above"),
        },
    ),
    "meters.fault": ModelRule(
        subject=("meter__owner",),
        rows=Rows.DELETE,
        meter_data=True,
        reason="found in their readings: goes with them",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "meter": personal(EXPORT, ERASE, _METER_LINK),
            "type": personal(EXPORT, ERASE),
            "status": personal(EXPORT, ERASE),
            "severity": personal(EXPORT, ERASE),
            "started": personal(EXPORT, ERASE),
            "resolved": personal(EXPORT, ERASE),
            "evidence": personal(EXPORT, ERASE),
            "resolution_reason": personal(EXPORT, ERASE),
            "assignee": actor(ERASE),
            "opened_by": actor(ERASE),
            "closed_by": actor(ERASE),
            "created_at": personal(EXPORT, ERASE),
            "updated_at": personal(EXPORT, ERASE),
        },
    ),
    "meters.faultnote": ModelRule(
        subject=("fault__meter__owner",),
        rows=Rows.DELETE,
        meter_data=True,
        reason="contacts about one of their faults: go with the fault (and with the account)",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "fault": personal(EXPORT, ERASE, "which fault"),
            "kind": personal(EXPORT, ERASE),
            "author": actor(ERASE),
            "at": personal(EXPORT, ERASE),
            "text": personal(EXPORT, ERASE),
        },
    ),
    "meters.contactnote": ModelRule(
        subject=("customer",),
        rows=Rows.DELETE,
        reason="support's notes of contacts with them",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "customer": link(ERASE),
            "meter": personal(EXPORT, ERASE, _METER_LINK),
            "kind": personal(EXPORT, ERASE),
            "author": actor(ERASE),
            "at": personal(EXPORT, ERASE),
            "text": personal(EXPORT, ERASE),
        },
    ),
    "meters.periodictaskrun": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="when the periodic tasks last ran, with counts",
        fields={
            "id": not_personal(),
            "entry": not_personal(),
            "task": not_personal(),
            "task_id": not_personal(),
            "started_at": not_personal(),
            "finished_at": not_personal(),
            "outcome": not_personal(),
            "summary": not_personal(
                reason="counts and outcomes, never a customer (meters.services.periodic)"
            ),
            "last_success_at": not_personal(),
        },
    ),
}

_REQUEST_EVIDENCE = "evidence that the request was answered, and in time (art. 12(3), 5(2)); names no one"
_KEYED = "a keyed hash (HMAC): compared with a named value, never read back"
PRIVACY = {
    "privacy.erasurereceipt": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="proof of each erasure (who executed what, when), holding only a keyed hash of the person",
        fields={
            "id": not_personal(),
            "uuid": not_personal(),
            "subject_hash": not_personal(reason=_KEYED),
            "mode": not_personal(),
            "personal": not_personal(),
            "meter": not_personal(),
            "executed_at": not_personal(),
            "executed_by": actor(
                ANONYMISE, "who of staff executed it: cut (NULL) when that account is erased"
            ),
            "via": not_personal(),
            "reason": not_personal(reason="the DPO's reason, written to name no one (the form says so)"),
            "counts": not_personal(reason="rows per model"),
            "replays": not_personal(),
        },
    ),
    "privacy.deletionrequest": ModelRule(
        subject=("user",),
        rows=Rows.ANONYMISE,
        reason=(
            "the person's request to erase or pause: kept as proof that it was answered in time, without the "
            "sender, the message or the account (found by the account, or by the sender's keyed hash)"
        ),
        fields={
            "id": not_personal(KEEP, ROW_ID),
            "received_at": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "due_on": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "source": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "sender_email": personal(EXPORT, ERASE),
            "sender_hash": personal(NO_EXPORT, KEEP, _KEYED + ": finds the request of an erased person"),
            "message_id_hash": personal(NO_EXPORT, KEEP, _KEYED + ": a message read twice makes one request"),
            "subject": personal(EXPORT, ERASE),
            "body_text": personal(EXPORT, ERASE),
            "raw_message": personal(
                NO_EXPORT, ERASE, "the mail as received; its text is exported (body_text)"
            ),
            "language": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "what_personal": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "what_meter": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "mode": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "user": link(ANONYMISE, "the person: the link is cut (NULL)"),
            "status": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "token_digest": personal(NO_EXPORT, ERASE, "the hash of a one-time link's token: a credential"),
            "confirmation_sent_at": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "confirmed_at": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "confirmed_how": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "override_reason": personal(EXPORT, KEEP, "the DPO's reason, written to name no one: evidence"),
            "handled_at": personal(EXPORT, KEEP, _REQUEST_EVIDENCE),
            "handled_by": actor(KEEP, "who of staff handled it: evidence (cut when that account is erased)"),
            "rejection_reason": personal(EXPORT, KEEP, "the DPO's reason, written to name no one: evidence"),
            "clarification_text": personal(EXPORT, ERASE),
            "receipt": not_personal(KEEP, "the receipt: holds no personal data"),
        },
    ),
    "privacy.pageview": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="the log files of the privacy statement: when which page was seen, from which address",
        notes=(
            "Found by person only while logged in (user); an anonymous visitor's views name no one we "
            "know. Addresses are cut to their network after PAGE_VIEWS_IP_DAYS and every row is "
            "deleted after PAGE_VIEWS_KEEP_DAYS (privacy.services.page_views)."
        ),
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "viewed_at": personal(EXPORT, ERASE),
            "path": personal(EXPORT, ERASE),
            "ip": personal(EXPORT, ERASE),
            "ip_truncated": personal(EXPORT, ERASE),
            "user": link(ERASE),
        },
    ),
    "privacy.pageviewbatch": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="the key of a batch of page views written from Redis, so that none is written twice",
        fields={
            "id": not_personal(),
            "key": not_personal(),
            "rows": not_personal(),
            "written_at": not_personal(),
        },
    ),
    "privacy.policydocument": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="the published privacy statement and cookie policy, every version",
        fields={
            "id": not_personal(),
            "kind": not_personal(),
            "language": not_personal(),
            "version": not_personal(),
            "title": not_personal(),
            "body": not_personal(),
            "status": not_personal(),
            "created_at": not_personal(),
            "updated_at": not_personal(),
            "published_at": not_personal(),
            "published_by": actor(
                ANONYMISE, "who of staff published it: cut (NULL) when that account is erased"
            ),
        },
    ),
    "privacy.campaign": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="a newsletter, survey or information that staff sent: its text and progress, about no customer",
        fields={
            "id": not_personal(),
            "channel": not_personal(),
            "topic": not_personal(),
            "subject": not_personal(),
            "body": not_personal(),
            "status": not_personal(),
            "created_at": not_personal(),
            "created_by": actor(
                ANONYMISE, "who of staff composed it: cut (NULL) when that account is erased"
            ),
            "started_at": not_personal(),
            "started_by": actor(
                ANONYMISE, "who of staff sent or exported it: cut (NULL) when that account is erased"
            ),
            "finished_at": not_personal(),
            "recipients_total": not_personal(),
            "batches_done": not_personal(),
        },
    ),
    "privacy.campaigndelivery": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="that a campaign was sent to them (or their address exported): about them, gone with the account",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "campaign": personal(EXPORT, ERASE, "which campaign reached them"),
            "user": link(ERASE),
            "status": personal(EXPORT, ERASE),
            "batch": not_personal(ERASE, "the number of the batch it went out in"),
            "sent_at": personal(EXPORT, ERASE),
            "error": personal(EXPORT, ERASE),
        },
    ),
    "privacy.dataexport": ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="their downloads of Mijn gegevens (art. 15, 20): when asked, made and fetched; goes with the account",
        notes="A ZIP still on disk (file_name, in PRIVACY_EXPORT_DIR) goes with the hourly cleanup once no row names it.",
        fields={
            "id": not_personal(ERASE, ROW_ID),
            "user": link(ERASE),
            "status": personal(EXPORT, ERASE),
            "progress": personal(EXPORT, ERASE),
            "requested_at": personal(EXPORT, ERASE),
            "ready_at": personal(EXPORT, ERASE),
            "expires_at": personal(EXPORT, ERASE),
            "used_at": personal(EXPORT, ERASE),
            "file_name": personal(
                NO_EXPORT, ERASE, "a random file name on our disk: the file itself is the export"
            ),
            "size_bytes": personal(EXPORT, ERASE),
            "error": personal(EXPORT, ERASE),
        },
    ),
    "privacy.partner": ModelRule(
        subject=(),
        rows=Rows.NONE,
        reason="the companies iLumen shares data with (opdrachtgevers, sister companies, subcontractors)",
        fields={
            "id": not_personal(),
            "name": not_personal(),
            "kind": not_personal(),
            "legal_basis": not_personal(),
            "purpose": not_personal(),
            "active": not_personal(),
            "privacy_email": not_personal(reason="a company's privacy contact, not a person's"),
            "created_at": not_personal(),
        },
    ),
    "privacy.disclosure": ModelRule(
        subject=("customer",),
        rows=Rows.ANONYMISE,
        reason=(
            "proof of what was shared with whom and on which basis (art. 5(2)); art. 19 asks us to tell "
            "each recipient of an erasure, so the row stays, without the person"
        ),
        notes="Tell each partner of the erasure (art. 19) before the link is cut.",
        fields={
            "id": not_personal(KEEP, ROW_ID),
            "partner": personal(EXPORT, KEEP, "the recipient: evidence, names no one once unlinked"),
            "customer": link(ANONYMISE, "the person: the link is cut (NULL)"),
            "categories": personal(EXPORT, KEEP, "which kinds of data: evidence, names no one once unlinked"),
            "period_from": personal(EXPORT, KEEP, ANONYMOUS_ONCE_UNLINKED),
            "period_to": personal(EXPORT, KEEP, ANONYMOUS_ONCE_UNLINKED),
            "legal_basis": personal(EXPORT, KEEP, "the basis of the sharing: evidence"),
            "purpose": personal(EXPORT, KEEP, "why it was shared: evidence"),
            "at": personal(EXPORT, KEEP, ANONYMOUS_ONCE_UNLINKED),
            "by": actor(ANONYMISE, "who of staff shared it: cut with the person"),
        },
    ),
}
