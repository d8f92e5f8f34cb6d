"""Mijn gegevens: the homeowner's page of everything held about them, and what they do there.

Thin views: see (``privacy.selectors.my_data``), pause and resume processing (a confirmation,
then a POST to ``consents.services.restriction``), download everything as a ZIP (a POST asks
``privacy.services.exports.export_request``, the page follows the task's progress, the signed
link hands the file over once: ``export_open``), ask for deletion (with the password; handed to
the DPO workflow, ``privacy.services.deletion_requests``, which carries out a logged-in request
at once). Refusals are ``ApplicationError`` pages with
their status (``http_status``), never 500.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import rate_limited
from consents.models import ProcessingRestriction
from consents.selectors.restriction import restriction_active
from consents.services.restriction import restriction_lift, restriction_start
from ilusmart.errors import ApplicationError, http_status
from privacy.models import DataExport, DeletionRequest
from privacy.selectors.my_data import exports_for_user, my_data_overview
from privacy.services.deletion_requests import deletion_request_create
from privacy.services.exports import export_open, export_request, export_token


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Waarom?"),
        max_length=ProcessingRestriction._meta.get_field("reason").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _export_rows(user) -> list[dict]:
    rows = []
    for export in exports_for_user(user=user):
        link = None
        if export.status == DataExport.Status.READY and export.file_name:
            link = reverse("privacy:my_data_export_download", args=[export_token(export=export)])
        rows.append({"export": export, "link": link})
    return rows


@login_required
@require_GET
def my_data(request):
    overview = my_data_overview(user=request.user)
    context = {"data": overview, "exports": _export_rows(request.user)}
    return render(request, "privacy/my_data.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pause(request):
    """Pause processing: a page that says what pausing does, then the POST that does it."""
    if restriction_active(user=request.user) is not None:
        return redirect(reverse("privacy:my_data") + "#pause")
    form = PauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            restriction_start(
                user=request.user,
                source=ProcessingRestriction.Source.HOMEOWNER,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("De verwerking van je gegevens is gepauzeerd."))
            return redirect(reverse("privacy:my_data") + "#pause")
    status = 400 if form.errors else 200
    return render(request, "privacy/pause_confirm.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def resume(request):
    """Resume processing: a confirmation, then the POST."""
    active = restriction_active(user=request.user)
    if active is None:
        return redirect(reverse("privacy:my_data") + "#pause")
    if request.method == "POST":
        restriction_lift(user=request.user, by=request.user)
        messages.success(request, _("De verwerking van je gegevens is hervat."))
        return redirect(reverse("privacy:my_data") + "#pause")
    return render(request, "privacy/resume_confirm.html", {"pause": active})


@login_required
@require_POST
@rate_limited("data_export")
def export_start(request):
    export_request(user=request.user)
    messages.info(
        request,
        _("We maken je download klaar. Dat duurt meestal een paar minuten; deze pagina toont de voortgang."),
    )
    return redirect(reverse("privacy:my_data") + "#download")


@login_required
@require_GET
def export_status(request):
    """The latest download's state, for the page's progress bar (``static/js/my_data.js``)."""
    latest = exports_for_user(user=request.user, limit=1)
    if not latest:
        return JsonResponse({"status": None})
    export = latest[0]
    return JsonResponse({"status": export.status, "progress": export.progress})


@login_required
@require_GET
def export_download(request, token):
    try:
        export, handle = export_open(user=request.user, token=token)
    except ApplicationError as refused:
        return render(
            request, "privacy/export_refused.html", {"message": refused.message}, status=http_status(refused)
        )
    stamp = export.ready_at.strftime("%Y%m%d") if export.ready_at else "export"
    response = FileResponse(handle, as_attachment=True, filename=f"ilusmart-mijn-gegevens-{stamp}.zip")
    response["Content-Type"] = "application/zip"
    response["Cache-Control"] = "private, no-store"
    return response


class DeleteForm(forms.Form):
    personal = forms.BooleanField(
        label=gettext_lazy("Mijn persoonsgegevens en mijn account"),
        required=False,
        help_text=gettext_lazy(
            "Je account, profiel, toestemmingen en alles wat naar jou leidt. Je kunt daarna niet meer aanmelden."
        ),
    )
    meter = forms.BooleanField(
        label=gettext_lazy("Mijn meetgegevens"),
        required=False,
        help_text=gettext_lazy(
            "Afname en injectie per kwartier, dagtotalen, ingelezen bestanden en storingen."
        ),
    )
    password = forms.CharField(
        label=gettext_lazy("Je wachtwoord, ter bevestiging"), strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Dit wachtwoord klopt niet."))
        return password

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("personal") and not cleaned.get("meter"):
            raise forms.ValidationError(_("Kies wat we moeten wissen."))
        return cleaned


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("data_delete")
def delete(request):
    """Ask for deletion: a page that says what goes and what stays, then the POST with the password.

    Handed to the DPO workflow (``privacy.services.deletion_requests``): asked while logged in
    and with the password, the request counts as confirmed and is carried out at once.
    """
    form = DeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        what = {name for name in ("personal", "meter") if form.cleaned_data[name]}
        user = request.user
        try:
            deletion_request_create(
                email=user.email, what=what, permanent=True, source=DeletionRequest.Source.MYDATA, user=user
            )
        except ApplicationError as refused:
            form.add_error(None, refused.message)
        else:
            if "personal" in what:
                auth_logout(request)
                return render(request, "privacy/delete_done.html")
            messages.success(request, _("Je meetgegevens zijn gewist."))
            return redirect(reverse("privacy:my_data"))
    status = 400 if form.errors else 200
    return render(request, "privacy/delete_confirm.html", {"form": form}, status=status)
