from django.urls import path

from . import directory_views, import_views, invitation_views, sso, team_views

app_name = "people"

urlpatterns = []

urlpatterns += [
    path("", directory_views.directory, name="directory"),
    path("<int:pk>/", directory_views.profile, name="profile"),
    path("<int:pk>/invite/", directory_views.invite, name="invite"),
    path("invite-everyone/", directory_views.invite_everyone, name="invite_everyone"),
    path("import/", import_views.import_page, name="import"),
    path("import/template.csv", import_views.import_template_csv, name="import_template"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("import/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/discard/", import_views.import_discard, name="import_discard"),
    path("import/<int:pk>/problems.csv", import_views.import_problems_csv, name="import_problems"),
    path("welcome/<uidb64>/<token>/", invitation_views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("sso/login/", sso.SSOStartView.as_view(), name="sso_login"),
    path("sso/callback/", sso.SSOCallbackView.as_view(), name="sso_callback"),
    path("team/", team_views.team, name="team"),
    path("team/<int:pk>/", team_views.member, name="team_member"),
    path("team/<int:pk>/propose/", team_views.propose, name="propose"),
    path("handover/", team_views.handover, name="handover"),
]
