"""The page header is kept per process for each page and set of roles, with the person's own name, profile link,
unread count and CSRF token put in for each request: it must be, character for character, the header rendered
for that request alone."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.template import RequestContext, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import resolve, reverse

from conversations.models import Notification
from people.templatetags import people_navigation
from tests.support.factories import PersonFactory, make_hr

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def request_for(user, path):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return request


def headers(user, path):
    """(kept, rendered alone) for one request, CSRF tokens aside: each asking masks the secret anew."""
    kept = Template("{% load people_navigation %}{% page_header %}").render(RequestContext(request_for(user, path)))
    alone = render_to_string("_header.html", request=request_for(user, path))
    return TOKEN.sub("TOKEN", kept), TOKEN.sub("TOKEN", alone)


@pytest.fixture
def people(employee, manager):
    hr = make_hr(PersonFactory(user__first_name="Hana", user__last_name="Reyes"))
    odd = PersonFactory(user__first_name='<b>"Zoë"</b>', user__last_name=people_navigation.CSRF)
    Notification.objects.bulk_create([Notification(recipient=employee, title=f"N{n}") for n in range(120)])
    Notification.objects.create(recipient=manager, title="One")
    admin = User.objects.create_superuser("it-admin", "it@example.com", "unused-password-1")
    return [employee.user, manager.user, hr.user, odd.user, admin, PersonFactory().user]


def test_the_kept_header_is_the_header_rendered_for_each_request(people, manager):
    people_navigation._header.cache_clear()
    paths = [reverse("home"), reverse("conversations:notifications"), reverse("people:directory"),
             reverse("conversations:pick_slot", args=[manager.pk]), reverse("conversations:participation")]
    for path in paths:
        for user in people:
            kept, alone = headers(user, path)
            assert kept == alone, (user.username, path)
    # Two employees with nothing unread share one header for each page.
    assert people_navigation._header.cache_info().hits == len(paths)


def test_what_differs_between_people_is_theirs_and_escaped(people, employee, manager):
    eli, maya, _, odd, _, _ = people
    assert "Eli Brandt" in headers(eli, reverse("home"))[0] and "Eli Brandt" not in headers(maya, reverse("home"))[0]
    assert ">99+</span>" in headers(eli, reverse("home"))[0]
    assert "Notifications, 1 unread" in headers(maya, reverse("home"))[0]
    odd_header = headers(odd, reverse("home"))[0]
    assert "&lt;b&gt;&quot;Zoë&quot;&lt;/b&gt;" in odd_header and "<b>" not in odd_header
    # A name that holds a mark is shown as written, and the token goes only where it belongs.
    assert people_navigation.CSRF in odd_header
    assert odd_header.count("TOKEN") == 1


def test_the_sign_in_page_header_has_no_menus():
    kept, alone = headers(AnonymousUser(), reverse("login"))
    assert kept == alone
    assert "main-nav" not in kept
