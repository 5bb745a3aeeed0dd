from django.contrib import admin
from django.urls import include, path

from people import views as people_views

admin.site.site_header = "careerconv administration"

urlpatterns = [
    path("", people_views.home, name="home"),
    path("healthz", people_views.health, name="health"),
    path("conversations/", include("conversations.urls")),
    path("people/", include("people.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
