"""Policy documents in the admin: the DPO (and superusers) draft and publish; support reads.

A draft is edited like any row (through ``policy_draft_save``); publishing is its own page, a
confirmation and a POST to ``policy_publish``. A published version is read-only for everyone
and cannot be deleted (the database refuses it too); "Nieuwe versie opstellen" copies it into a
new draft. Who may do what: tests/test_admin_permissions.py (DESIGN, CUSTOM_URLS, SITE_PAGES).

The page-view log has no model admin (no row, no address is ever shown); its totals per day
and per page are a page of the site (``bezoekcijfers/``), for the DPO and superusers.

Campaigns: support composes, sends (e-mail) or exports addresses (post); see CampaignAdmin.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from ilusmart import clock
from ilusmart.admin_readonly import ReadOnlyAdmin
from ilusmart.errors import ApplicationError, http_status
from privacy.admin_disclosures import disclosure_urls
from privacy.admin_restriction import restriction_urls
from privacy.datamap import DATA_MAP
from privacy.models import Campaign, DeletionRequest, ErasureReceipt, PolicyDocument
from privacy.rendering import policy_html
from privacy.selectors import campaign_audience_size, campaign_progress, page_view_log_state, page_view_totals
from privacy.services.campaigns import campaign_addresses_csv, campaign_draft_save, campaign_start
from privacy.services.deletion_requests import (
    deletion_request_clarify,
    deletion_request_decide,
    deletion_request_execute,
    deletion_request_override,
    deletion_request_reject,
)
from privacy.services.erasure import erasure_preview
from privacy.services.policies import policy_draft_from, policy_draft_save, policy_publish

PUBLISH_PERMISSION = "privacy.publish_policydocument"


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "language", "version", "status", "published_at", "published_by"]
    list_filter = ["kind", "language", "status"]
    search_fields = ["title", "body"]
    fields = ["kind", "language", "title", "body", "version", "status", "published_at", "published_by"]
    readonly_fields = ["version", "status", "published_at", "published_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return self.fields
        if obj is not None:
            return [*self.readonly_fields, "kind", "language"]  # a draft stays what it was made as
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk action asks per object too; published versions are never in what it deletes.
        super().delete_queryset(request, queryset.filter(status=PolicyDocument.Status.DRAFT))

    def save_model(self, request, obj, form, change):
        policy_draft_save(document=obj, title=obj.title, body=obj.body)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "preview": policy_html(document.body) if document else None,
            "can_publish": bool(
                document and not document.is_published and request.user.has_perm(PUBLISH_PERMISSION)
            ),
            "can_copy": bool(document and self.has_add_permission(request)),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- publish, and a new draft from a version: a confirmation page, then a POST -------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/publiceren/",
                self.admin_site.admin_view(self.publish_view),
                name="{}_{}_publish".format(*info),
            ),
            path(
                "<path:object_id>/nieuwe-versie/",
                self.admin_site.admin_view(self.new_version_view),
                name="{}_{}_new_version".format(*info),
            ),
            *super().get_urls(),
        ]

    def _document(self, request, object_id) -> PolicyDocument:
        document = self.get_object(request, unquote(object_id))
        if document is None:
            raise Http404
        return document

    def _confirm(self, request, document, *, title, question, button, status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": document,
            "title": title,
            "question": question,
            "button": button,
            "preview": policy_html(document.body),
        }
        return TemplateResponse(request, "admin/privacy/policydocument/confirm.html", context, status=status)

    def publish_view(self, request, object_id):
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        document = self._document(request, object_id)
        if request.method == "POST":
            try:
                published = policy_publish(document=document, user=request.user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return self._confirm(
                    request,
                    document,
                    title=_("Publiceren"),
                    question=error.message,
                    button=None,
                    status=http_status(error),
                )
            self.message_user(
                request,
                _("%(document)s is gepubliceerd: bezoekers zien deze versie nu.") % {"document": published},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:privacy_policydocument_change", args=[published.pk]))
        if document.is_published:
            return redirect(reverse("admin:privacy_policydocument_change", args=[document.pk]))
        return self._confirm(
            request,
            document,
            title=_("Publiceren"),
            question=_(
                "Deze tekst wordt de nieuwe versie die bezoekers lezen. Een gepubliceerde versie kan je "
                "daarna niet meer wijzigen of verwijderen; ze blijft bewaard bij de eerdere versies."
            ),
            button=_("Ja, publiceren"),
        )

    def new_version_view(self, request, object_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        document = self._document(request, object_id)
        if request.method == "POST":
            draft = policy_draft_from(document=document)
            self.message_user(request, _("Een nieuw ontwerp staat klaar om te bewerken."), messages.SUCCESS)
            return redirect(reverse("admin:privacy_policydocument_change", args=[draft.pk]))
        return self._confirm(
            request,
            document,
            title=_("Nieuwe versie opstellen"),
            question=_("Een nieuw ontwerp met de tekst van %(document)s maken?") % {"document": document},
            button=_("Ja, een ontwerp maken"),
        )


# --- the page-view log: totals per day and per page, for the DPO ---------------------------------

PAGE_VIEW_TOTALS_PERMISSION = "privacy.view_pageview_totals"
PAGE_VIEW_TOTALS_DEFAULT_DAYS = 30
PAGE_VIEW_TOTALS_MAX_DAYS = 366


class PageViewPeriodForm(forms.Form):
    van = forms.DateField(label=_("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tot = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        last = cleaned.get("tot") or clock.local_today()
        first = cleaned.get("van") or last - timedelta(days=PAGE_VIEW_TOTALS_DEFAULT_DAYS - 1)
        if last < first:
            raise forms.ValidationError(_("De einddatum ligt voor de begindatum."))
        if (last - first).days >= PAGE_VIEW_TOTALS_MAX_DAYS:
            raise forms.ValidationError(_("Kies een periode van hoogstens 366 dagen."))
        cleaned["van"], cleaned["tot"] = first, last
        return cleaned


def page_view_totals_view(request):
    """Views per day and per page over a period (default: the last 30 days); never an address."""
    if not request.user.has_perm(PAGE_VIEW_TOTALS_PERMISSION):
        raise PermissionDenied
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form = PageViewPeriodForm(request.GET)
    valid = form.is_valid()
    context = {
        **admin.site.each_context(request),
        "title": _("Bezoekcijfers"),
        "form": form,
        "totals": page_view_totals(first_day=form.cleaned_data["van"], last_day=form.cleaned_data["tot"])
        if valid
        else None,
        "state": page_view_log_state(),
        "ip_days": settings.PAGE_VIEWS_IP_DAYS,
        "keep_days": settings.PAGE_VIEWS_KEEP_DAYS,
    }
    return TemplateResponse(
        request, "admin/privacy/page_view_totals.html", context, status=200 if valid else 400
    )


admin.site.register_pages(
    [path("bezoekcijfers/", admin.site.admin_view(page_view_totals_view), name="page_view_totals")]
)


SEND_PERMISSION = "privacy.send_campaign"


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns: support composes a draft and sends it (e-mail) or exports its addresses (post).

    Sending is its own page (a confirmation with the number of recipients, then a POST to
    ``campaign_start``); the post export is the action "Postadressen exporteren (CSV)". A
    campaign that went out is read-only, with its progress (sent / total). Who may do what:
    tests/test_admin_permissions.py (DESIGN, CUSTOM_URLS, EXTRA_ACTIONS).
    """

    list_display = ["subject", "channel", "topic", "status", "progress", "started_at"]
    list_filter = ["channel", "topic", "status"]
    search_fields = ["subject"]
    fields = [
        "channel",
        "topic",
        "subject",
        "body",
        "status",
        "progress",
        "created_by",
        "started_at",
        "started_by",
        "finished_at",
    ]
    readonly_fields = ["status", "progress", "created_by", "started_at", "started_by", "finished_at"]
    actions = ["export_addresses"]

    @admin.display(description=_("voortgang"))
    def progress(self, obj):
        if obj is None or obj.pk is None or obj.is_draft:
            return _("nog niet verstuurd")
        counts = campaign_progress(campaign=obj)
        done = counts["sent"] if obj.channel == "email" else counts["exported"]
        return _("%(done)s / %(total)s (overgeslagen: %(skipped)s, mislukt: %(failed)s, bezig: %(busy)s)") % {
            "done": done,
            "total": counts["total"],
            "skipped": counts["skipped"],
            "failed": counts["failed"],
            "busy": counts["sending"] + counts["pending"],
        }

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return self.fields
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    def has_send_permission(self, request):
        return request.user.has_perm(SEND_PERMISSION)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.filter(status=Campaign.Status.DRAFT))

    def save_model(self, request, obj, form, change):
        campaign_draft_save(campaign=obj, by=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        campaign = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "can_send": bool(
                campaign
                and campaign.is_draft
                and campaign.channel == "email"
                and self.has_send_permission(request)
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/versturen/",
                self.admin_site.admin_view(self.send_view),
                name="{}_{}_send".format(*info),
            ),
            *super().get_urls(),
        ]

    def send_view(self, request, object_id):
        if not self.has_send_permission(request):
            raise PermissionDenied
        campaign = self.get_object(request, unquote(object_id))
        if campaign is None:
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": campaign,
            "title": _("Versturen"),
            "audience": campaign_audience_size(campaign=campaign),
            "sendable": campaign.is_draft and campaign.channel == "email",
        }
        if request.method == "POST":
            try:
                campaign_start(campaign=campaign, by=request.user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                context["sendable"] = False
                return TemplateResponse(
                    request, "admin/privacy/campaign/send.html", context, status=http_status(error)
                )
            self.message_user(
                request,
                _("De campagne wordt verstuurd; de voortgang staat hieronder."),
                messages.SUCCESS,
            )
            return redirect(reverse("admin:privacy_campaign_change", args=[campaign.pk]))
        return TemplateResponse(request, "admin/privacy/campaign/send.html", context)

    @admin.action(description=_("Postadressen exporteren (CSV)"), permissions=["send"])
    def export_addresses(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Kies precies één campagne per post."), messages.ERROR)
            return None
        try:
            text = campaign_addresses_csv(campaign=queryset.get(), by=request.user)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="postadressen-campagne-{queryset.get().pk}.csv"'
        )
        return response


# --- The DPO's queue of deletion requests (issue 10) ---------------------------------------------

EXECUTE_PERMISSION = "privacy.execute_deletionrequest"


class OpenFilter(admin.SimpleListFilter):
    """Open requests by default: what the DPO still has to answer."""

    title = _("stand")
    parameter_name = "stand"

    def lookups(self, request, model_admin):
        return [("open", _("open")), ("afgehandeld", _("afgehandeld")), ("alle", _("alle"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(status__in=DeletionRequest.OPEN_STATUSES)
        if value == "afgehandeld":
            return queryset.exclude(status__in=DeletionRequest.OPEN_STATUSES)
        return queryset


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    """Open requests by due date with the matched account and what would be erased; the DPO
    executes, rejects (with a reason), asks for clarification (mailed), or confirms without the
    person's link (with a written reason). Only the dpo role and superusers see it."""

    list_display = ["__str__", "due_on", "status", "source", "sender_email", "user", "asked", "to_erase"]
    list_filter = [OpenFilter, "status", "source", "mode"]
    ordering = ["due_on", "received_at", "pk"]
    search_fields = ["sender_email", "subject"]
    fields = [
        "received_at",
        "due_on",
        "source",
        "sender_email",
        "user",
        "subject",
        "body_text",
        "raw_message_text",
        "language",
        "what_personal",
        "what_meter",
        "mode",
        "status",
        "confirmation_sent_at",
        "confirmed_at",
        "confirmed_how",
        "override_reason",
        "clarification_text",
        "rejection_reason",
        "handled_at",
        "handled_by",
        "receipt",
    ]
    editable = ("what_personal", "what_meter", "mode")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_open:
            return [f for f in self.fields if f not in self.editable]
        return self.fields

    def has_add_permission(self, request):
        return False  # requests come from the person (mail, Mijn gegevens, the app)

    def has_delete_permission(self, request, obj=None):
        return False  # the proof that a request was answered, and in time

    @admin.display(description=_("gevraagd"))
    def asked(self, obj):
        parts = [
            str(label)
            for on, label in ((obj.what_personal, _("persoonsgegevens")), (obj.what_meter, _("meetgegevens")))
            if on
        ]
        return f"{', '.join(parts)} ({obj.get_mode_display()})"

    @admin.display(description=_("te wissen (rijen)"))
    def to_erase(self, obj):
        totals = {}
        for row in self._preview(obj):
            totals[row["category"]] = totals.get(row["category"], 0) + row["count"]
        return ", ".join(f"{category}: {count}" for category, count in totals.items()) or "-"

    @admin.display(description=_("ruw bericht"))
    def raw_message_text(self, obj):
        return bytes(obj.raw_message or b"").decode("utf-8", errors="replace")

    def _preview(self, obj) -> list[dict]:
        if obj is None or obj.user_id is None or not obj.is_open:
            return []
        counts = erasure_preview(user=obj.user, personal=obj.what_personal, meter=obj.what_meter)
        return [
            {
                "category": _("meetgegevens") if DATA_MAP[label].meter_data else _("persoonsgegevens"),
                "label": label,
                "count": count,
            }
            for label, count in sorted(counts.items())
        ]

    def save_model(self, request, obj, form, change):
        try:
            deletion_request_decide(
                request=obj, personal=obj.what_personal, meter=obj.what_meter, mode=obj.mode
            )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        deletion = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "preview": self._preview(deletion),
            "can_act": bool(deletion and deletion.is_open and request.user.has_perm(EXECUTE_PERMISSION)),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        views = [
            ("uitvoeren", self.execute_view, "execute"),
            ("weigeren", self.reject_view, "reject"),
            ("verduidelijking", self.clarify_view, "clarify"),
            ("bevestigen", self.override_view, "override"),
        ]
        return [
            *(
                path(
                    f"<path:object_id>/{slug}/",
                    self.admin_site.admin_view(view),
                    name="{}_{}_{}".format(*info, name),
                )
                for slug, view, name in views
            ),
            *super().get_urls(),
        ]

    def _action(self, request, object_id, *, title, question, button, text_label=None, service):
        if not request.user.has_perm(EXECUTE_PERMISSION):
            raise PermissionDenied
        deletion = self.get_object(request, unquote(object_id))
        if deletion is None:
            raise Http404
        error, status, text = None, 200, ""
        if request.method == "POST":
            text = request.POST.get("text", "")
            try:
                message = service(deletion, text)
            except ApplicationError as refused:
                error, status = refused.message, http_status(refused)
            else:
                self.message_user(request, message, messages.SUCCESS)
                return redirect(reverse("admin:privacy_deletionrequest_change", args=[deletion.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": deletion,
            "title": title,
            "question": question,
            "button": button,
            "text_label": text_label,
            "text": text,
            "error": error,
        }
        return TemplateResponse(request, "admin/privacy/deletionrequest/action.html", context, status=status)

    def execute_view(self, request, object_id):
        def run(deletion, _text):
            outcome = deletion_request_execute(
                request=deletion, by=request.user, via=ErasureReceipt.Via.ADMIN
            )
            if outcome.receipt is None:
                return _("Uitgevoerd: er was niets (meer) te wissen.")
            return _("Uitgevoerd. Wisbewijs %(receipt)s.") % {"receipt": outcome.receipt.uuid}

        return self._action(
            request,
            object_id,
            title=_("Uitvoeren"),
            question=_(
                "Het verzoek wordt nu uitgevoerd zoals gevraagd. Definitief wissen kan niet ongedaan "
                "gemaakt worden; de persoon krijgt een bevestiging per e-mail."
            ),
            button=_("Ja, uitvoeren"),
            service=run,
        )

    def reject_view(self, request, object_id):
        def run(deletion, text):
            deletion_request_reject(request=deletion, by=request.user, reason=text)
            return _("Geweigerd; de persoon kreeg de reden per e-mail.")

        return self._action(
            request,
            object_id,
            title=_("Weigeren"),
            question=_("De persoon krijgt deze reden per e-mail. Noem er geen persoonsgegevens in."),
            button=_("Weigeren"),
            text_label=_("Reden"),
            service=run,
        )

    def clarify_view(self, request, object_id):
        def run(deletion, text):
            deletion_request_clarify(request=deletion, by=request.user, question=text)
            return _("Je vraag is gemaild.")

        return self._action(
            request,
            object_id,
            title=_("Verduidelijking vragen"),
            question=_(
                "Je vraag gaat per e-mail naar het adres van het account, of anders naar de afzender."
            ),
            button=_("Vraag versturen"),
            text_label=_("Vraag"),
            service=run,
        )

    def override_view(self, request, object_id):
        def run(deletion, text):
            deletion_request_override(request=deletion, by=request.user, reason=text)
            return _("Bevestigd met jouw reden; je kan het verzoek nu uitvoeren.")

        return self._action(
            request,
            object_id,
            title=_("Bevestigen zonder link"),
            question=_(
                "Alleen als je de identiteit van de persoon op een andere manier nagingt. Je reden wordt "
                "bij het verzoek bewaard; noem er geen persoonsgegevens in."
            ),
            button=_("Bevestigen"),
            text_label=_("Hoe je het verzoek nagingt"),
            service=run,
        )


@admin.register(ErasureReceipt)
class ErasureReceiptAdmin(ReadOnlyAdmin):
    """Proof of every erasure: who executed what, when; the person only as a keyed hash. Read only."""

    list_display = ["__str__", "mode", "personal", "meter", "via", "executed_by", "executed_at"]
    list_filter = ["mode", "via"]
    search_fields = ["=subject_hash", "=uuid"]
    fields = [
        "uuid",
        "executed_at",
        "executed_by",
        "via",
        "mode",
        "personal",
        "meter",
        "reason",
        "counts",
        "subject_hash",
        "replays",
    ]
    readonly_fields = fields


# Pausing a customer's processing (support, dpo): privacy/admin_restriction.py; sharing with a
# partner (support): privacy/admin_disclosures.py, which also registers partners and disclosures.
admin.site.register_pages(restriction_urls(admin.site) + disclosure_urls(admin.site))
