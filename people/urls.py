from django.urls import path  # noqa: F401 — patterns are added by each capability

app_name = "people"

urlpatterns = []
