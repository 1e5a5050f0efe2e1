from django.contrib import admin

from reports.models import Export, WeeklyReport


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ("public_id", "kind", "subject", "status", "attempts", "requested_by",
                    "created_at", "finished_at")
    list_filter = ("kind", "status")
    search_fields = ("document__code", "public_id")
    list_select_related = ("document", "report", "requested_by")
    # Rows change only through the render task; the admin is for looking at errors.
    readonly_fields = [f.name for f in Export._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(WeeklyReport)
class WeeklyReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "week_start", "created_at", "emailed_at", "requested_by")
    readonly_fields = ("week_start", "created_at", "emailed_at", "requested_by")

    def has_add_permission(self, request):
        return False
