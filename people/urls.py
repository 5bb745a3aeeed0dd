from django.urls import path  # noqa: F401 — patterns are added by each capability

app_name = "people"

urlpatterns = []

from . import personal_data_views  # noqa: E402

urlpatterns += [
    path("me/privacy/", personal_data_views.privacy, name="privacy"),
    path("me/privacy/download/", personal_data_views.download, name="personal_data_download"),
    path("privacy/", personal_data_views.hr_privacy, name="hr_privacy"),
    path("privacy/leavers/<int:pk>/erase/", personal_data_views.erase, name="erase_person"),
]
