"""The admin of rows that only a service writes (audit trails, consent records, receipts)."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff with the view permission read these rows; nobody adds, changes or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
