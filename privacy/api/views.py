"""API views of the privacy app (thin): pause, download and erasure, as on *Mijn gegevens*.

The same services and checks as the pages (``privacy.views_my_data``): the pause is
``consents.services.restriction.restriction_start`` (source homeowner), the download
``privacy.services.exports.export_request`` under the ``data_export`` limit, and the erasure a
``DeletionRequest`` from the app through ``deletion_request_create`` after the page's own form
(``DeleteForm``: the password and what to erase) under the ``data_delete`` limit; being logged
in confirms it, so it is carried out at once (with ``personal`` the account goes, and the token).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from accounts.client_ip import client_ip_address
from accounts.services.rate_limits import rate_limit_take
from consents.models import ProcessingRestriction
from consents.services.restriction import restriction_start
from ilusmart.api.views import ApiView
from privacy.models import DeletionRequest
from privacy.services.deletion_requests import deletion_request_create
from privacy.services.exports import export_request
from privacy.views_my_data import DeleteForm

from .serializers import (
    DeletionRequestBodySerializer,
    DeletionRequestSerializer,
    ExportSerializer,
    PauseRequestSerializer,
    PauseSerializer,
)


class PauseView(ApiView):
    @extend_schema(
        operation_id="me_pause", tags=["me"], request=PauseRequestSerializer, responses={201: PauseSerializer}
    )
    def post(self, request):
        """Pause the processing of the caller's data (GDPR art. 18): nothing is fetched, sent or shared."""
        body = PauseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pause = restriction_start(
            user=request.user,
            source=ProcessingRestriction.Source.HOMEOWNER,
            by=request.user,
            reason=body.validated_data.get("reason", ""),
        )
        return Response(PauseSerializer(pause).data, status=status.HTTP_201_CREATED)


class ExportView(ApiView):
    @extend_schema(operation_id="me_export", tags=["me"], request=None, responses={202: ExportSerializer})
    def post(self, request):
        """Ask for a download of everything held about the caller (one at a time; Mijn gegevens offers it)."""
        rate_limit_take(action="data_export", user_id=request.user.pk, ip=client_ip_address(request))
        return Response(
            ExportSerializer(export_request(user=request.user)).data, status=status.HTTP_202_ACCEPTED
        )


class DeletionRequestView(ApiView):
    @extend_schema(
        operation_id="me_deletion_request",
        tags=["me"],
        request=DeletionRequestBodySerializer,
        responses={201: DeletionRequestSerializer},
    )
    def post(self, request):
        """Erase the caller's data for good, at once (with `personal`: the account too, and this token)."""
        body = DeletionRequestBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rate_limit_take(action="data_delete", user_id=request.user.pk, ip=client_ip_address(request))
        form = DeleteForm(body.validated_data, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {("non_field_errors" if k == "__all__" else k): list(v) for k, v in form.errors.items()}
            )
        user = request.user
        created = deletion_request_create(
            email=user.email,
            what={name for name in ("personal", "meter") if form.cleaned_data[name]},
            permanent=True,
            source=DeletionRequest.Source.API,
            user=user,
        )
        return Response(DeletionRequestSerializer(created).data, status=status.HTTP_201_CREATED)
