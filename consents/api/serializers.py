"""Serializers of the consents API (issue 11): a homeowner's Fluvius mandates, as shapes only."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from consents.models import CommunicationConsent, Mandate
from consents.selectors.mandates import mandate_display

MANDATE_STATES = ["none", "requested", "active", "ending_soon", "rejected", "ended"]


class MandateStateSerializer(serializers.Serializer):
    """The state as the homeowner reads it (``consents.selectors.mandate_display``)."""

    state = serializers.ChoiceField(choices=MANDATE_STATES)
    label = serializers.CharField(help_text="The state in words, in the request's language.")
    next_step = serializers.CharField(help_text="What the homeowner should do next.")


class MandateSerializer(serializers.ModelSerializer):
    display = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(
        help_text="Where to approve it in Mijn Fluvius while it is requested."
    )

    class Meta:
        model = Mandate
        fields = [
            "reference_number",
            "ean",
            "status",
            "renewal_status",
            "display",
            "requested_at",
            "approved_at",
            "data_period_from",
            "data_period_to",
            "expires_at",
            "ended_at",
            "end_reason",
            "url",
        ]

    @staticmethod
    def display_data(mandate) -> dict:
        shown = mandate_display(mandate=mandate)
        return {"state": shown.state, "label": str(shown.label), "next_step": str(shown.next_step)}

    def get_display(self, mandate) -> MandateStateSerializer:
        return self.display_data(mandate)

    def get_url(self, mandate) -> str | None:
        if mandate.status == Mandate.Status.REQUESTED and mandate.short_url:
            return mandate.short_url
        return None


class CommunicationChoiceSerializer(serializers.Serializer):
    """The person's answer for one channel and topic (``consents.selectors.communications``)."""

    channel = serializers.ChoiceField(choices=CommunicationConsent.Channel.choices)
    topic = serializers.ChoiceField(choices=CommunicationConsent.Topic.choices)
    opted_in = serializers.BooleanField(help_text="Explicit opt-in only: false until the person said yes.")
    at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When they last chose; null: never."
    )
    source = serializers.CharField(
        read_only=True, help_text="Where they last chose (page, app, unsubscribe link, …)."
    )


class CommunicationChoicesSerializer(serializers.Serializer):
    """Every channel and topic with its answer (PUT: all of them, as the Communicatie page sends)."""

    choices = CommunicationChoiceSerializer(many=True)

    def validate_choices(self, choices):
        pairs = [(c["channel"], c["topic"]) for c in choices]
        expected = {
            (ch, t) for ch in CommunicationConsent.Channel.values for t in CommunicationConsent.Topic.values
        }
        if len(pairs) != len(set(pairs)) or set(pairs) != expected:
            raise serializers.ValidationError(_("Geef elk kanaal en onderwerp precies één keer."))
        return choices
