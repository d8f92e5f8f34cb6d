from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "is_active", "is_staff", "email_verified_at", "date_joined")
    list_filter = ("is_staff", "is_active", "groups")
    search_fields = ("email", "profile__last_name", "profile__first_name", "profile__postal_code")
    readonly_fields = ("date_joined", "last_login")
    inlines = [ProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password", "pending_email", "email_verified_at")}),
        (_("Rechten"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Data"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ("groups",)
