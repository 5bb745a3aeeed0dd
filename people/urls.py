from django.urls import path  # noqa: F401 — patterns are added by each capability

from . import team_views

app_name = "people"

urlpatterns = []

urlpatterns += [
    path("team/", team_views.team, name="team"),
    path("team/<int:pk>/", team_views.member, name="team_member"),
    path("team/<int:pk>/propose/", team_views.propose, name="propose"),
    path("handover/", team_views.handover, name="handover"),
]
