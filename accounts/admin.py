from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessRecord, Profile, User
from accounts.services.access_audit import access_record
from accounts.services.second_factor import second_factor_reset
from accounts.services.sessions import user_sessions_end
from ilusmart.admin_readonly import ReadOnlyAdmin


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """People. Support corrects customers' profiles; only a superuser manages accounts themselves.

    For anyone but a superuser: staff accounts are not listed (nor reachable by id), every field
    of the user row is read-only (so a POSTed ``is_superuser``, ``groups``, ``email``… is not
    even a form field and is ignored), the password-change URL answers 403, and there is no add,
    delete or bulk action. A superuser's own changes go through Django's UserAdmin unchanged.
    """

    ordering = ("email",)
    list_display = ("email", "is_active", "is_staff", "email_verified_at", "date_joined")
    list_filter = ("is_staff", "is_active", "groups")
    search_fields = ("email", "profile__last_name", "profile__first_name", "profile__postal_code")
    readonly_fields = ("date_joined", "last_login")
    inlines = [ProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password", "email_verified_at")}),
        (_("Rechten"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Data"), {"fields": ("date_joined", "last_login")}),
    )
    # What a non-superuser sees of a customer's account: read only, no password, no permissions.
    customer_fieldsets = (
        (None, {"fields": ("email", "email_verified_at", "is_active")}),
        (_("Data"), {"fields": ("date_joined", "last_login")}),
    )
    actions = ["end_sessions", "reset_second_factor"]
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ("groups", "user_permissions")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(is_staff=False, is_superuser=False)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return self.list_display
        return ("email", "is_active", "email_verified_at", "date_joined")

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else ("is_active",)

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.customer_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return [name for _title, options in self.customer_fieldsets for name in options["fields"]]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.is_staff or obj.is_superuser) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        if not request.user.is_superuser:
            return {}
        return super().get_actions(request, action_location=action_location)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # Reached only with the view or change permission (else PermissionDenied was raised);
        # a user outside this staff member's queryset was not shown, so it is not recorded.
        customer = self.get_object(request, unquote(object_id))
        if customer is not None and response.status_code in (200, 302):
            what = "admin:accounts_user_change" + (":save" if request.method == "POST" else "")
            access_record(staff=request.user, customer_id=customer.pk, what=what)
        return response

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description=_("Alle sessies van de geselecteerde gebruikers beëindigen"))
    def end_sessions(self, request, queryset):
        if not request.user.is_superuser:
            raise PermissionDenied
        for user in queryset:
            user_sessions_end(user=user)
        self.message_user(request, _("Hun sessies zijn beëindigd; ze moeten opnieuw aanmelden."))

    @admin.action(description=_("Tweede factor opnieuw laten instellen (telefoon kwijt)"))
    def reset_second_factor(self, request, queryset):
        if not request.user.is_superuser:
            raise PermissionDenied
        for user in queryset:
            second_factor_reset(user=user)
            user_sessions_end(user=user)
        self.message_user(request, _("Ze stellen hun tweede factor opnieuw in bij hun volgende aanmelding."))


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    """The DPO lists who opened whose data (search a customer by id: ``=customer_id``). Read only."""

    list_display = ["at", "staff_id", "customer_id", "what"]
    list_filter = ["what"]
    search_fields = ["=customer_id", "=staff_id"]
    search_help_text = _("Zoek op het id van een klant of een medewerker.")
    date_hierarchy = "at"
