"""Serializers of the accounts API (issue 11): shapes only; the rules are the forms' and services'."""

from rest_framework import serializers

from accounts.models import ApiToken, Profile


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The account's email address.")
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    device = serializers.CharField(
        max_length=100, help_text="A name for this device, shown in the token list."
    )


class TokenCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The token's id, for `DELETE /api/v1/auth/tokens/{id}/`.")
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`. Shown only this once.")


class ApiTokenSerializer(serializers.ModelSerializer):
    expires_at = serializers.SerializerMethodField(help_text="When it stops working unless used before.")

    class Meta:
        model = ApiToken
        fields = ["id", "device", "created_at", "last_used_at", "expires_at"]

    def get_expires_at(self, token) -> str:
        return serializers.DateTimeField().to_representation(token.last_used_at + self.context["idle_limit"])


class ProfileSerializer(serializers.ModelSerializer):
    """The profile as the profile page shows it (the email address changes by a mailed link only)."""

    email = serializers.EmailField(source="user.email", read_only=True)
    email_verified = serializers.BooleanField(source="user.email_verified", read_only=True)

    class Meta:
        model = Profile
        fields = ["email", "email_verified", *Profile.EDITABLE_FIELDS]


class ProfilePatchSerializer(serializers.Serializer):
    """Any of the profile's fields; checked by the profile page's own form (accounts.forms.ProfileForm)."""

    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    street = serializers.CharField(max_length=200, required=False)
    house_number = serializers.CharField(max_length=10, required=False)
    box = serializers.CharField(max_length=10, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False)
    municipality = serializers.CharField(max_length=100, required=False)
    country = serializers.ChoiceField(choices=Profile.Country.choices, required=False)
    phone = serializers.CharField(
        max_length=30, required=False, help_text="Any usual spelling; stored as E.164."
    )
