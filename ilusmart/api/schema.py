"""How the OpenAPI schema (drf-spectacular) describes every operation of the API.

``ApiAutoSchema`` adds the error answers every operation can give, all in the one error shape
(``ErrorSerializer``), so a client (and schemathesis, tests/ilusmart/api/test_schemathesis.py)
can rely on the schema for every status, not only the happy one.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable code for programs, e.g. `invalid`, `not_found`, `rate_limited`."
    )
    message = serializers.CharField(help_text="For people, in the request's language (Dutch or English).")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per field or query parameter, its messages; empty when the error is not about one.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_ERRORS = {
    "400": "The input is not valid (`invalid`, with `fields`), or a service refused it.",
    "401": "No credentials, or a token that is unknown, revoked or expired (90 days unused).",
    "403": "Not allowed: a session request without its CSRF token, or a refusal by a service.",
    "404": "No such object among the caller's own (another person's reads the same).",
    "406": "The `Accept` header asks for something other than JSON.",
    "409": "The state does not allow it now.",
    "415": "The body is not JSON.",
    "429": "Too many requests (per token, per IP, or a login lock-out); see `Retry-After`.",
    "503": "A service we depend on (Fluvius) is unavailable; try again later.",
}
_WRITE_ONLY = {"409", "415", "503"}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the documented error answers of every operation."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        write = self.method in ("POST", "PUT", "PATCH", "DELETE")
        for status, description in _ERRORS.items():
            if status in _WRITE_ONLY and not write:
                continue
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), status, direction=direction
                )
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ilusmart.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `POST /api/v1/auth/token/`: `Authorization: Bearer <token>`.",
        }


class CsrfSessionScheme(OpenApiAuthenticationExtension):
    target_class = "ilusmart.api.authentication.CsrfSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The website's session; unsafe methods also need the `X-CSRFToken` header.",
        }
