import functools

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from careerconv import health
from conversations.views.home import home
from people import urls as people_urls

admin.site.site_header = "careerconv administration"


def with_passwords(view):
    """Password pages exist only while password sign-in is on; with single sign-on only, they are not found."""
    @functools.wraps(view)  # keeps the view's login_required mark: reset pages stay public
    def wrapped(request, *args, **kwargs):
        if not settings.PASSWORD_SIGN_IN:
            raise Http404("Password sign-in is turned off.")
        return view(request, *args, **kwargs)

    return wrapped


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page's link says; the icon is the SVG."""
    return redirect(static("favicon.svg"), permanent=True)


password_views = [
    ("password_change/", auth_views.PasswordChangeView, "password_change"),
    ("password_change/done/", auth_views.PasswordChangeDoneView, "password_change_done"),
    ("password_reset/", auth_views.PasswordResetView, "password_reset"),
    ("password_reset/done/", auth_views.PasswordResetDoneView, "password_reset_done"),
    ("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView, "password_reset_confirm"),
    ("reset/done/", auth_views.PasswordResetCompleteView, "password_reset_complete"),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", health.health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("conversations.urls")),
    path("people/", include("people.urls")),
    path("scim/v2/", include((people_urls.scim_urlpatterns, "scim"))),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    *[path(f"accounts/{route}", with_passwords(view.as_view()), name=name) for route, view, name in password_views],
    path("admin/", admin.site.urls),
]
