"""Upload a Mijn Fluvius CSV export into a meter: the homeowner's page, and the upload guard the
staff's admin page shares (``meters.admin.MeterAdmin``).

Big uploads are refused before their body is read: the views are ``csrf_exempt`` so that the
CSRF middleware does not parse the body first, check the declared size, install an in-memory
upload handler (nothing is written to disk), and only then check CSRF (``csrf_protect``), as
Django's documentation on upload handlers describes. A request refused for its declared size
still leaves a ``ReadingImport`` row (``readings_csv_import_too_large``: who, which meter, the
declared size; no file name, the body is never read), written before the CSRF check: only a
logged-in owner (or staff) reaches it, and the session cookie is ``SameSite=Lax``, so a cross-site
form post arrives without a session and is sent to the login page instead.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from accounts.decorators import rate_limited
from ilusmart.errors import http_status
from meters.forms import ReadingImportForm
from meters.models import Meter, ReadingImport
from meters.services.csv_import import (
    ImportSummary,
    ReadingImportRejected,
    readings_csv_import_too_large,
    readings_csv_upload,
    too_large_message,
)
from meters.views.common import own_meter

# Room for the multipart envelope and the CSRF token around the file itself.
UPLOAD_OVERHEAD_BYTES = 64 * 1024


class _InMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps an upload of up to ``max_bytes`` in memory: never a temporary file on disk."""

    def __init__(self, request, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = content_length <= self.max_bytes


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def upload_too_large(request, meter: Meter) -> bool:
    """True when the request declares a body bigger than an import may be (nothing read yet);
    the refusal is then recorded for ``meter`` in the import audit.

    Otherwise prepares the request so that the upload is read into memory. Call before
    anything touches ``request.POST`` or ``request.FILES``.
    """
    max_bytes = settings.READINGS_IMPORT_MAX_BYTES + UPLOAD_OVERHEAD_BYTES
    length = _declared_length(request)
    if length > max_bytes:
        readings_csv_import_too_large(meter=meter, uploaded_by=request.user, declared_bytes=length)
        return True
    request.upload_handlers = [_InMemoryUploadHandler(request, max_bytes)]
    return False


def _import_of(meter: Meter, import_id) -> ReadingImport | None:
    """``meter``'s import ``import_id`` (None for another meter's, or a malformed id)."""
    try:
        return meter.reading_imports.get(pk=int(import_id))
    except (TypeError, ValueError, ReadingImport.DoesNotExist):
        return None


def import_status_response(meter: Meter, import_id) -> JsonResponse:
    """``{"status": …, "progress": …}`` of ``meter``'s import ``import_id`` (the page's script polls it)."""
    record = _import_of(meter, import_id)
    if record is None:
        return JsonResponse({"error": {"code": "not_found", "message": "no such import"}}, status=404)
    return JsonResponse({"status": record.status, "progress": record.progress})


def import_outcome(meter: Meter, import_id) -> dict:
    """What the page shows of ``meter``'s import ``import_id``: its progress while the task runs,
    then its summary or the reasons it was refused (nothing for another meter's import)."""
    record = _import_of(meter, import_id)
    if record is None:
        return {}
    if record.status in (ReadingImport.Status.QUEUED, ReadingImport.Status.RUNNING):
        return {"running": record}
    if record.status == ReadingImport.Status.REJECTED:
        return {"errors": record.summary.get("messages", [])}
    return {"summary": ImportSummary.from_json(record.summary, import_id=record.pk)}


def _page(request, meter, form, *, errors=(), status=200, **outcome):
    context = {
        "meter": meter,
        "form": form,
        "errors": list(errors),
        "max_mb": settings.READINGS_IMPORT_MAX_BYTES // (1024 * 1024),
        **outcome,
    }
    return render(request, "meters/import.html", context, status=status)


@csrf_exempt  # checked in _import_post, after the size check (see the module docstring)
@login_required
@rate_limited("import")  # counted before the body is read
def meter_import(request, meter_id):
    """GET: the upload form (and an upload's progress, then its summary). POST: upload a file."""
    meter = own_meter(request, meter_id)
    if request.method == "POST":
        if upload_too_large(request, meter):
            return _page(request, meter, ReadingImportForm(), errors=[too_large_message()], status=413)
        return _import_post(request, meter)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if "import" in request.GET and request.GET.get("status") == "json":
        return import_status_response(meter, request.GET["import"])
    outcome = import_outcome(meter, request.GET["import"]) if "import" in request.GET else {}
    return _page(request, meter, ReadingImportForm(), **outcome)


@csrf_protect
def _import_post(request, meter):
    form = ReadingImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, meter, form, status=400)
    try:
        record = readings_csv_upload(meter=meter, file=form.cleaned_data["file"], uploaded_by=request.user)
    except ReadingImportRejected as rejected:
        return _page(
            request, meter, ReadingImportForm(), errors=rejected.messages, status=http_status(rejected)
        )
    return redirect(f"{reverse('meters:import', args=[meter.pk])}?import={record.pk}")
