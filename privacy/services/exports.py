"""The download of Mijn gegevens: a ZIP of everything held about a person (GDPR art. 15 and 20).

``export_request`` records the request and queues ``privacy.build_export`` after commit;
``export_build`` (the task's one call) writes the ZIP — ``gegevens.json`` with every exported
field of every row about the person (``privacy.selectors.exports.personal_data``, driven by the
data map) and CSV files of their readings over the days they may see (written by
``meters.services.export``, each app owning its format) — into ``settings.PRIVACY_EXPORT_DIR``,
moving ``progress`` as it goes. The link (``export_token``) is signed, names the export and is
valid ``PRIVACY_EXPORT_VALID_DAYS`` days; ``export_open`` hands the file to its owner once
(another person gets "not found", a used or expired link is refused) and deletes it from disk
at once (the open handle still reads it). ``exports_cleanup`` (beat, hourly) deletes files of
expired links and marks builds that died.
"""

from __future__ import annotations

import json
import logging
import os
import time
import zipfile
from datetime import timedelta
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ilusmart import clock, errors
from ilusmart.errors import ApplicationError
from meters.services.export import readings_export_lines
from privacy.models import DataExport
from privacy.selectors.exports import json_export_labels, personal_data, readings_csv_parts

logger = logging.getLogger("ilusmart.privacy")

SIGNING_SALT = "privacy.export"  # a namespace for the signer, not a secret
BUILD_TASK = "privacy.build_export"
# A build that has not finished after this long died with its worker: marked failed by the cleanup.
BUILD_STALE_AFTER = timedelta(hours=6)
ACTIVE = (DataExport.Status.REQUESTED, DataExport.Status.BUILDING)

README = """iLusmart: je gegevens / your data

gegevens.json    Alles wat de portal over jou bijhoudt, per soort gegeven ("accounts.profile",
                 "meters.meter", ...), elk veld zoals de gegevenskaart van de portal het opsomt.
                 Everything the portal holds about you, per kind of record, every field the
                 portal's data map lists.
metingen/        Je meetgegevens per meter: per kwartier en per dag, alleen de dagen die van jou
                 zijn (CSV, kWh met een punt als decimaalteken).
                 Your readings per meter, per quarter-hour and per day, only the days that are
                 yours (CSV, kWh with a decimal point).
"""


class ExportRefused(ApplicationError):
    kind = errors.INVALID
    default_code = "export_refused"


def _directory() -> Path:
    directory = Path(settings.PRIVACY_EXPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def export_request(*, user) -> DataExport:
    """Ask for a new download of ``user``'s data; one being made already is returned as it is.

    The caller limits how often (``settings.RATE_LIMITS["data_export"]``)."""
    with transaction.atomic():
        # One request at a time per person: lock their row so two clicks make one export.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        pending = DataExport.objects.filter(user=user, status__in=ACTIVE).first()
        if pending is not None:
            return pending
        export = DataExport.objects.create(user=user, requested_at=clock.now())
        transaction.on_commit(lambda: current_app.send_task(BUILD_TASK, args=[export.pk]))
    logger.info("data export %s requested by user %s", export.pk, user.pk)
    return export


def _progress(export: DataExport, done: int, total: int) -> None:
    value = min(99, int(done * 100 / max(total, 1)))
    if value != export.progress:
        export.progress = value
        DataExport.objects.filter(pk=export.pk).update(progress=value)


def export_build(*, export_id: int) -> DataExport | None:
    """Write the ZIP of export ``export_id`` (idempotent: a finished one is left as it is)."""
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status not in ACTIVE:
        return export
    DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.BUILDING, progress=0)
    user = export.user
    labels = json_export_labels()
    parts = readings_csv_parts(user=user)
    total, done = len(labels) + len(parts), 0
    file_name = f"export-{export.pk}-{os.urandom(8).hex()}.zip"
    target = _directory() / file_name
    partial = target.with_suffix(".part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("LEESMIJ.txt", README)
            data = {}
            for label in labels:
                data.update(personal_data(user=user, labels=[label]))
                done += 1
                _progress(export, done, total)
            document = {"generated_at": clock.now(), "data": data}
            archive.writestr(
                "gegevens.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
            )
            for part in parts:
                with archive.open(part.file_name, "w") as out:
                    for line in readings_export_lines(
                        meter=part.meter,
                        start_date=part.start,
                        end_date=part.end,
                        resolution=part.resolution,
                        visible=part.visible,
                    ):
                        out.write(line.encode("ascii"))
                done += 1
                _progress(export, done, total)
        partial.rename(target)
    except Exception:
        partial.unlink(missing_ok=True)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, error="the build failed; see the worker log"
        )
        raise
    now = clock.now()
    export.status = DataExport.Status.READY
    export.progress = 100
    export.ready_at = now
    export.expires_at = now + timedelta(days=settings.PRIVACY_EXPORT_VALID_DAYS)
    export.file_name = file_name
    export.size_bytes = target.stat().st_size
    export.save(update_fields=["status", "progress", "ready_at", "expires_at", "file_name", "size_bytes"])
    logger.info("data export %s ready (%d bytes)", export.pk, export.size_bytes)
    return export


def export_token(*, export: DataExport) -> str:
    """The signed token of ``export``'s download link (it names the export and its owner)."""
    return signing.dumps({"export": export.pk, "user": export.user_id}, salt=SIGNING_SALT, compress=True)


def export_open(*, user, token: str):
    """Hand ``user`` the file behind ``token``, once: ``(export, open binary file)``.

    The file is deleted from disk as it is handed over (the returned handle still reads it).
    Refusals: a token that is not ours → invalid; another person's export → not found; a used
    or expired link, or one whose file is gone → gone; one still being made → conflict.
    """
    max_age = timedelta(days=settings.PRIVACY_EXPORT_VALID_DAYS + 1)
    try:
        claims = signing.loads(token, salt=SIGNING_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ExportRefused(
            _("Deze downloadlink is verlopen. Vraag een nieuwe download aan op Mijn gegevens."),
            code="export_expired",
            kind=errors.GONE,
        ) from None
    except signing.BadSignature:
        raise ExportRefused(_("Deze downloadlink is ongeldig."), code="export_token_invalid") from None
    if not isinstance(claims, dict) or claims.get("user") != user.pk:
        raise ExportRefused(_("Deze download bestaat niet."), code="export_not_found", kind=errors.NOT_FOUND)
    with transaction.atomic():
        export = DataExport.objects.select_for_update().filter(pk=claims.get("export"), user=user).first()
        if export is None:
            raise ExportRefused(
                _("Deze download bestaat niet."), code="export_not_found", kind=errors.NOT_FOUND
            )
        if export.status in ACTIVE:
            raise ExportRefused(
                _("Je download wordt nog gemaakt. Probeer het zo meteen opnieuw."),
                code="export_not_ready",
                kind=errors.CONFLICT,
            )
        if export.used_at is not None or export.status == DataExport.Status.USED:
            raise ExportRefused(
                _(
                    "Deze downloadlink is al gebruikt: elke link werkt één keer. Vraag een nieuwe download aan op Mijn gegevens."
                ),
                code="export_used",
                kind=errors.GONE,
            )
        now = clock.now()
        if export.expires_at is None or export.expires_at <= now or not export.file_name:
            raise ExportRefused(
                _("Deze downloadlink is verlopen. Vraag een nieuwe download aan op Mijn gegevens."),
                code="export_expired",
                kind=errors.GONE,
            )
        path = _directory() / export.file_name
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise ExportRefused(
                _("Deze downloadlink is verlopen. Vraag een nieuwe download aan op Mijn gegevens."),
                code="export_expired",
                kind=errors.GONE,
            ) from None
        export.used_at = now
        export.status = DataExport.Status.USED
        export.file_name = ""
        export.save(update_fields=["used_at", "status", "file_name"])
        path.unlink(missing_ok=True)
    logger.info("data export %s downloaded by its owner", export.pk)
    return export, handle


def exports_files_erase(*, user_id: int) -> int:
    """Forget the ZIP files of ``user_id``'s downloads (an erasure): their rows stop naming them now,
    the files go once the transaction commits; how many. A file is a full copy of the person's
    data, so it cannot wait for the hourly clean-up."""
    rows = DataExport.objects.filter(user_id=user_id).exclude(file_name="")
    names = list(rows.values_list("file_name", flat=True))
    if not names:
        return 0
    rows.update(file_name="")

    def unlink() -> None:
        for name in names:
            (_directory() / name).unlink(missing_ok=True)

    transaction.on_commit(unlink)
    return len(names)


def exports_cleanup() -> dict[str, int]:
    """Delete the files of expired downloads and mark builds that never finished; the counts."""
    now = clock.now()
    expired = 0
    for export in DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now):
        if export.file_name:
            (_directory() / export.file_name).unlink(missing_ok=True)
        export.status = DataExport.Status.EXPIRED
        export.file_name = ""
        export.save(update_fields=["status", "file_name"])
        expired += 1
    # A used download's file went when it was fetched; this catches one left by a crash.
    leftovers = 0
    for export in DataExport.objects.filter(used_at__isnull=False).exclude(file_name=""):
        (_directory() / export.file_name).unlink(missing_ok=True)
        DataExport.objects.filter(pk=export.pk).update(file_name="")
        leftovers += 1
    failed = DataExport.objects.filter(status__in=ACTIVE, requested_at__lte=now - BUILD_STALE_AFTER).update(
        status=DataExport.Status.FAILED, error="not finished in time: the worker stopped"
    )
    # Files no row names any more (the person was erased with their rows, or a build died
    # half-way) go too, once older than a build could take. Their age is the file system's (real
    # time, not the project clock that tests move): a file being written now is never taken.
    known = set(DataExport.objects.exclude(file_name="").values_list("file_name", flat=True))
    written_before = time.time() - BUILD_STALE_AFTER.total_seconds()
    for path in _directory().iterdir():
        if path.name not in known and path.stat().st_mtime < written_before:
            path.unlink(missing_ok=True)
            leftovers += 1
    if expired or leftovers or failed:
        logger.info(
            "data exports cleaned up: %d expired, %d leftover files, %d failed", expired, leftovers, failed
        )
    return {"expired": expired, "leftovers": leftovers, "failed": failed}
