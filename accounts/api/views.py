"""API views of the accounts app (thin: validate, call one form/service/selector, answer)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from accounts.forms import LoginForm, ProfileForm
from accounts.models import Profile
from accounts.selectors import api_tokens_for_user, profile_for_user
from accounts.services.api_tokens import api_token_create, api_token_idle_limit, api_token_revoke
from accounts.services.users import profile_update
from ilusmart.api.errors import error_body
from ilusmart.api.throttling import IpThrottle, LoginThrottle
from ilusmart.api.views import ApiListView, ApiView

from .serializers import (
    ApiTokenSerializer,
    ProfilePatchSerializer,
    ProfileSerializer,
    TokenCreatedSerializer,
    TokenRequestSerializer,
)

_LOGIN_STATUS = {"locked": status.HTTP_429_TOO_MANY_REQUESTS, "unverified": status.HTTP_403_FORBIDDEN}


class TokenCreateView(ApiView):
    """Log in with email and password and get a token for one device.

    The same login as the website's (``accounts.forms.LoginForm``: ``authenticate()`` under the
    lock-out of every login path, and an unverified address is refused with a new link mailed).
    """

    authentication_classes = []
    permission_classes = []
    throttle_classes = [LoginThrottle, IpThrottle]

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={201: TokenCreatedSerializer},
        auth=[],
        description=(
            "Log in and get a token for this device. Wrong email or password: 400 `invalid_login`; "
            "an address not yet confirmed: 403 `unverified` (a new link is mailed); too many failed "
            "logins (the lock-out of every login path): 429 `locked`. Staff accounts cannot use the API."
        ),
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        form = LoginForm(request._request, data={"email": data["email"], "password": data["password"]})
        if not form.is_valid():
            code = next((e.code for e in form.errors.as_data().get("__all__", [])), "invalid")
            messages = [m for errors in form.errors.values() for m in errors]
            fields = {k: v for k, v in form.errors.items() if k != "__all__"}
            if code not in ("locked", "unverified", "invalid_login"):
                code = "invalid"
            return Response(
                error_body(code=code, message=" ".join(messages), fields=fields),
                status=_LOGIN_STATUS.get(code, status.HTTP_400_BAD_REQUEST),
            )
        user = form.get_user()
        if user.is_staff or user.is_superuser:
            raise exceptions.PermissionDenied(_("Medewerkers gebruiken de beheeromgeving, niet de app."))
        token, raw = api_token_create(user=user, device=data["device"])
        return Response({"id": token.pk, "token": raw}, status=status.HTTP_201_CREATED)


class TokenListView(ApiListView):
    """The caller's tokens that still work, one per device (the token itself is never shown again)."""

    serializer_class = ApiTokenSerializer
    ordering = ("-last_used_at", "-pk")

    def get_queryset(self):
        return api_tokens_for_user(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "idle_limit": api_token_idle_limit()}

    @extend_schema(operation_id="auth_tokens_list", tags=["auth"])
    def get(self, request, *args, **kwargs):
        """The caller's tokens that still work, last used first."""
        return super().get(request, *args, **kwargs)


class TokenRevokeView(ApiView):
    @extend_schema(operation_id="auth_tokens_revoke", tags=["auth"], responses={204: None})
    def delete(self, request, token_id: int):
        """Revoke one of the caller's tokens (also the one in use: log out this device)."""
        api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(ApiView):
    @extend_schema(operation_id="me_retrieve", tags=["me"], responses=ProfileSerializer)
    def get(self, request):
        """The caller's profile."""
        return Response(ProfileSerializer(profile_for_user(user=request.user)).data)

    @extend_schema(
        operation_id="me_update", tags=["me"], request=ProfilePatchSerializer, responses=ProfileSerializer
    )
    def patch(self, request):
        """Correct some of the profile's fields, with the same checks as the profile page."""
        serializer = ProfilePatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = profile_for_user(user=request.user)
        current = {name: getattr(profile, name) for name in Profile.EDITABLE_FIELDS}
        form = ProfileForm({**current, **serializer.validated_data}, instance=profile, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError({k: list(v) for k, v in form.errors.items()})
        profile_update(user=request.user, data=form.cleaned_data)
        return Response(ProfileSerializer(profile_for_user(user=request.user)).data)
