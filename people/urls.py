from django.urls import path, re_path

from people import sso
from people.views import directory, importing, invitations, scim, tokens

app_name = "people"

urlpatterns = [
    path("", directory.directory, name="directory"),
    path("<int:pk>/", directory.profile, name="profile"),
    path("<int:pk>/invite/", directory.invite, name="invite"),
    path("invite-everyone/", directory.invite_everyone, name="invite_everyone"),
    path("import/", importing.import_page, name="import"),
    path("import/template.csv", importing.import_template_csv, name="import_template"),
    path("import/<int:pk>/", importing.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", importing.import_progress, name="import_progress"),
    path("import/<int:pk>/confirm/", importing.import_confirm, name="import_confirm"),
    path("import/<int:pk>/discard/", importing.import_discard, name="import_discard"),
    path("import/<int:pk>/problems.csv", importing.import_problems_csv, name="import_problems"),
    path("welcome/<uidb64>/<token>/", invitations.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("sso/login/", sso.SSOStartView.as_view(), name="sso_login"),
    path("sso/callback/", sso.SSOCallbackView.as_view(), name="sso_callback"),
]

# /scim/v2/ (careerconv/urls.py): what identity providers call, with a bearer token instead of a session.
scim_urlpatterns = [
    path("ServiceProviderConfig", scim.service_provider_config, name="service_provider_config"),
    path("ResourceTypes", scim.resource_types, name="resource_types"),
    path("ResourceTypes/<str:pk>", scim.resource_types, name="resource_type"),
    path("Schemas", scim.schemas, name="schemas"),
    path("Schemas/<str:pk>", scim.schemas, name="schema"),
    path("Users", scim.users_collection, name="users"),
    path("Users/<str:pk>", scim.user_detail, name="user"),
    path("Groups", scim.groups_collection, name="groups"),
    path("Groups/<str:pk>", scim.group_detail, name="group"),
    path(".search", scim.search_everything, name="search_everything"),
    # Anything else under /scim/v2/ is answered in SCIM's error format, not with the site's HTML 404 page.
    re_path(r"^.*$", scim.not_found, name="not_found"),
]
urlpatterns += [
    path("provisioning/", tokens.provisioning, name="provisioning"),
    path("provisioning/<int:pk>/rotate/", tokens.rotate, name="provisioning_rotate"),
    path("provisioning/<int:pk>/revoke/", tokens.revoke, name="provisioning_revoke"),
]
