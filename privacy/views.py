"""The public policy pages: /privacy/ and /cookies/, the current version and every earlier one."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from privacy.models import PolicyDocument
from privacy.rendering import policy_html
from privacy.selectors import policy_current, policy_language, policy_versions


def _policy_page(request, kind: str):
    current = policy_current(kind=kind, language=policy_language(get_language()))
    if current is None:
        raise Http404("no published version")
    versions = list(policy_versions(kind=current.kind, language=current.language))
    requested = request.GET.get("versie")
    if requested is None:
        document = current
    else:
        document = next((v for v in versions if str(v.version) == requested.strip()), None)
        if document is None:
            raise Http404("no such version")
    context = {
        "document": document,
        "body": policy_html(document.body),
        "is_current": document == current,
        "current": current,
        "earlier": [v for v in versions if v != current],
        "other_language": document.language != policy_language(get_language()),
    }
    return render(request, "privacy/policy.html", context)


@require_GET
def privacy_statement(request):
    return _policy_page(request, PolicyDocument.Kind.PRIVACY)


@require_GET
def cookie_policy(request):
    return _policy_page(request, PolicyDocument.Kind.COOKIES)
