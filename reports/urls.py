from django.urls import path, register_converter

from reports import views
from reports.weeks import Week


class IsoWeekConverter:
    """"2026-W47" in the URL, a Week in the view; a week that does not exist is a 404."""

    regex = r"\d{4}-W\d{2}"

    def to_python(self, value: str) -> Week:
        return Week.parse(value)

    def to_url(self, value: Week | str) -> str:
        return value.iso if isinstance(value, Week) else value


register_converter(IsoWeekConverter, "isoweek")

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("weekly/", views.weekly_jump, name="weekly_jump"),
    path("weekly/<isoweek:week>/", views.weekly, name="weekly"),
    path("weekly/<isoweek:week>/generate/", views.weekly_generate, name="weekly_generate"),
    path("weekly/<isoweek:week>/pdf/", views.weekly_pdf, name="weekly_pdf"),
    path("weekly/<isoweek:week>/csv/", views.weekly_csv_zip, name="weekly_csv_zip"),
    path("weekly/<isoweek:week>/csv/<slug:table>.csv", views.weekly_csv, name="weekly_csv"),
    path("exports/documents/<str:code>/", views.export_create, name="export_create"),
    path("exports/<uuid:public_id>/", views.export_detail, name="export"),
    path("exports/<uuid:public_id>/status/", views.export_status, name="export_status"),
    path("exports/<uuid:public_id>/download/", views.export_download, name="export_download"),
]
