from django.urls import path  # noqa: F401 — patterns are added by each capability

app_name = "conversations"

urlpatterns = []

from . import notification_views  # noqa: E402

urlpatterns += [
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", notification_views.open_notification, name="notification_open"),
    path("notifications/read/", notification_views.mark_all_read, name="notifications_read"),
]
