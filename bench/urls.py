"""The application's URLs plus a bare page: a view that returns a few bytes, behind the same middleware (session,
sign-in, CSP, …) and served by the same gunicorn. What a real page costs is measured as a ratio to it."""

from django.http import HttpResponse
from django.urls import path

from careerconv.urls import urlpatterns as application


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *application]
