"""API views of the consents app (thin: validate, call one service or selector, answer)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from consents.models import CommunicationConsent
from consents.selectors.communications import communication_choices
from consents.services.communications import communication_choices_save
from ilusmart.api.views import ApiView

from .serializers import CommunicationChoicesSerializer


def _choices(user) -> dict:
    return CommunicationChoicesSerializer({"choices": communication_choices(user=user)}).data


class CommunicationsView(ApiView):
    @extend_schema(
        operation_id="me_communications_retrieve", tags=["me"], responses=CommunicationChoicesSerializer
    )
    def get(self, request):
        """The caller's communication choices per channel (e-mail, post) and topic."""
        return Response(_choices(request.user))

    @extend_schema(
        operation_id="me_communications_update",
        tags=["me"],
        request=CommunicationChoicesSerializer,
        responses=CommunicationChoicesSerializer,
    )
    def put(self, request):
        """Answer every channel and topic (explicit opt-in; each change recorded with source `api`)."""
        body = CommunicationChoicesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answers = {(c["channel"], c["topic"]): c["opted_in"] for c in body.validated_data["choices"]}
        communication_choices_save(user=request.user, choices=answers, source=CommunicationConsent.Source.API)
        return Response(_choices(request.user))
