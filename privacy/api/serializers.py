"""Serializers of the privacy API (issue 11): pause, download and erasure asked from the app."""

from rest_framework import serializers

from consents.models import ProcessingRestriction
from privacy.models import DataExport, DeletionRequest


class PauseRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=ProcessingRestriction._meta.get_field("reason").max_length,
        required=False,
        allow_blank=True,
        help_text="Why, if the person wants to say.",
    )


class PauseSerializer(serializers.ModelSerializer):
    """The active pause (``consents.services.restriction``); asking again returns the same one."""

    class Meta:
        model = ProcessingRestriction
        fields = ["started_at", "reason"]


class ExportSerializer(serializers.ModelSerializer):
    """A download of everything held about the person, made in the background (Mijn gegevens
    offers the ZIP when it is ready)."""

    class Meta:
        model = DataExport
        fields = ["id", "status", "progress", "requested_at", "ready_at", "expires_at"]


class DeletionRequestBodySerializer(serializers.Serializer):
    """What to erase, and the password, as on the page *Mijn gegevens* → wissen."""

    personal = serializers.BooleanField(
        help_text="The account, profile, consents: everything that names the person."
    )
    meter = serializers.BooleanField(
        help_text="The meter data: quarter-hours, daily totals, imports, faults."
    )
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class DeletionRequestSerializer(serializers.ModelSerializer):
    """The request as recorded (``privacy.services.deletion_requests``), carried out at once."""

    class Meta:
        model = DeletionRequest
        fields = ["id", "status", "mode", "what_personal", "what_meter", "received_at", "due_on"]
