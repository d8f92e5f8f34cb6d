"""Staff see the periodic tasks: what runs when (in words, Belgian time) and how the last run went.

The list page is the whole beat schedule from ``meters.selectors.periodic`` (an entry that never
ran is shown too); a row's own page shows its last run. Read-only for everyone: the worker
writes the rows (meters/task_runs.py). Support and superusers may view it; dpo not.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ilusmart.admin_readonly import ReadOnlyAdmin
from meters.models import PeriodicTaskRun
from meters.selectors.periodic import periodic_tasks


@admin.register(PeriodicTaskRun)
class PeriodicTaskRunAdmin(ReadOnlyAdmin):
    list_display = ["entry", "task", "started_at", "finished_at", "outcome", "summary"]
    fields = [
        "entry",
        "task",
        "task_id",
        "started_at",
        "finished_at",
        "outcome",
        "summary",
        "last_success_at",
    ]
    readonly_fields = fields

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Geplande taken"),
            "tasks": periodic_tasks(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/meters/periodictaskrun/overview.html", context)
