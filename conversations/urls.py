from django.urls import path  # noqa: F401 — patterns are added by each capability

from . import participation_views

app_name = "conversations"

urlpatterns = []

urlpatterns += [
    path("participation/", participation_views.dashboard, name="participation"),
    path("participation.csv", participation_views.dashboard_csv, name="participation_csv"),
]
