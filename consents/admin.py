from django.contrib import admin

from consents.models import CommunicationConsent, CookieConsent, FetchRefusal, Mandate
from ilusmart.admin_readonly import ReadOnlyAdmin


@admin.register(Mandate)
class MandateAdmin(ReadOnlyAdmin):
    """Mandates are Fluvius's record: staff read them (and their audit evidence), never edit them."""

    list_display = [
        "reference_number",
        "ean",
        "user",
        "status",
        "renewal_status",
        "approved_at",
        "expires_at",
    ]
    list_filter = ["status", "renewal_status", "end_reason"]
    search_fields = ["reference_number", "ean", "user__email"]
    date_hierarchy = "requested_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Mandate._meta.fields]


@admin.register(FetchRefusal)
class FetchRefusalAdmin(ReadOnlyAdmin):
    """The audit of "no mandate, no fetch": read only, for everyone."""

    list_display = ["at", "ean", "user", "reason"]
    search_fields = ["ean"]
    readonly_fields = ["at", "ean", "user", "reason"]


@admin.register(CommunicationConsent)
class CommunicationConsentAdmin(ReadOnlyAdmin):
    """Every yes and no a person gave for communications, with source and time: read only.

    The person changes their choices themselves (Communicatie page, unsubscribe link, app); the
    history is evidence and is never edited.
    """

    list_display = ["at", "user", "channel", "topic", "opted_in", "source"]
    list_filter = ["channel", "topic", "opted_in", "source"]
    search_fields = ["user__email"]
    readonly_fields = ["at", "user", "channel", "topic", "opted_in", "source", "by"]
    date_hierarchy = "at"


@admin.register(CookieConsent)
class CookieConsentAdmin(ReadOnlyAdmin):
    """Every cookie choice and withdrawal, found by the code in the visitor's cookie: read only.

    The proof of consent; the visitor changes their choice themselves (Cookie-instellingen).
    """

    list_display = [
        "at",
        "consent_id",
        "action",
        "analytics",
        "social_media",
        "policy_version",
        "via",
        "user",
    ]
    list_filter = ["action", "analytics", "social_media", "via"]
    search_fields = ["=consent_id", "user__email"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in CookieConsent._meta.fields]
