"""Invitations: a link to choose a first password, made with Django's token machinery; HR can send another."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from people.invitations import send_invitations
from people.models import Invitation
from tests.support.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def newcomer():
    person = PersonFactory(user__username="nia@example.com", user__email="nia@example.com", user__first_name="Nia",
                           user__last_name="Kemp", employee_id="E77")
    person.user.set_unusable_password()
    person.user.save()
    return person


def link_in(message):
    return re.search(r"http://testserver(/people/welcome/\S+)", message.body).group(1)


@override_settings(SITE_URL="http://testserver")
def test_a_new_person_chooses_a_password_from_the_invitation_and_is_signed_in(client, newcomer, hr):
    assert send_invitations(person_ids=[newcomer.pk], sent_by_id=hr.user.pk, now=NOW) == 1

    message = mail.outbox[0]
    assert message.to == ["nia@example.com"]
    assert message.subject == "Northwind Labs invites you to careerconv"
    assert "Hana Reed at Northwind Labs has invited you to careerconv" in message.body
    assert "The link works once, for 14 days. Your username is nia@example.com." in message.body
    form_page = client.get(link_in(message), follow=True)
    assert "Choose a password to finish setting up your account." in form_page.text

    response = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "a-long-new-password", "new_password2": "a-long-new-password"}, follow=True)

    assert "Welcome! Your password is set and you are signed in." in response.text
    assert response.context["user"] == newcomer.user
    newcomer.user.refresh_from_db()
    assert newcomer.user.check_password("a-long-new-password")
    assert Invitation.objects.get().sent_by == hr.user


@override_settings(SITE_URL="http://testserver")
def test_an_invitation_link_works_once(client, newcomer):
    send_invitations(person_ids=[newcomer.pk], sent_by_id=None, now=NOW)
    link = link_in(mail.outbox[0])
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "a-long-new-password", "new_password2": "a-long-new-password"})
    client.logout()

    again = client.get(link, follow=True)

    assert "This invitation link no longer works" in again.text


@override_settings(SITE_URL="http://testserver", INVITATION_VALID_DAYS=14)
def test_an_invitation_link_expires_after_the_configured_days(client, newcomer):
    with time_machine.travel(NOW, tick=False):
        send_invitations(person_ids=[newcomer.pk], sent_by_id=None, now=NOW)
    link = link_in(mail.outbox[0])

    with time_machine.travel(NOW + datetime.timedelta(days=13), tick=False):
        assert "Choose a password" in client.get(link, follow=True).text
    with time_machine.travel(NOW + datetime.timedelta(days=15), tick=False):
        assert "This invitation link no longer works" in client.get(link, follow=True).text


def test_a_password_reset_token_is_not_an_invitation(client, newcomer):
    uid = urlsafe_base64_encode(force_bytes(newcomer.user.pk))
    token = default_token_generator.make_token(newcomer.user)

    response = client.get(reverse("people:invitation_accept", args=[uid, token]), follow=True)

    assert "This invitation link no longer works" in response.text


@override_settings(SITE_URL="http://testserver")
def test_someone_who_left_cannot_use_their_invitation(client, newcomer):
    send_invitations(person_ids=[newcomer.pk], sent_by_id=None, now=NOW)
    newcomer.is_active = False
    newcomer.save()

    assert "This invitation link no longer works" in client.get(link_in(mail.outbox[0]), follow=True).text


def test_hr_resends_an_invitation(client, hr, newcomer, django_capture_on_commit_callbacks):
    Invitation.objects.create(person=newcomer, sent_at=NOW)
    client.force_login(hr.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:invite", args=[newcomer.pk]), follow=True)

    assert "An invitation is on its way to Nia Kemp (nia@example.com)." in response.text
    assert len(mail.outbox) == 1 and Invitation.objects.filter(person=newcomer).count() == 2
    assert "Resend the invitation" in response.text


def test_only_hr_can_send_invitations(client, employee, newcomer):
    client.force_login(employee.user)

    assert client.post(reverse("people:invite", args=[newcomer.pk])).status_code == 404
    assert client.post(reverse("people:invite_everyone")).status_code == 404
    assert mail.outbox == []


def test_nobody_is_invited_who_signed_in_already_or_left(client, hr, employee, stranger,
                                                         django_capture_on_commit_callbacks):
    employee.user.last_login = timezone.now()
    employee.user.save()
    stranger.is_active = False
    stranger.save()
    client.force_login(hr.user)

    with django_capture_on_commit_callbacks(execute=True):
        signed_in = client.post(reverse("people:invite", args=[employee.pk]), follow=True)
        left = client.post(reverse("people:invite", args=[stranger.pk]), follow=True)

    assert "No invitation sent: Eli Brandt has signed in already." in signed_in.text
    assert "No invitation sent: Sam Ivers has left the organisation." in left.text
    assert mail.outbox == []


def test_hr_invites_everyone_not_yet_invited_at_once(client, hr, newcomer, employee,
                                                    django_capture_on_commit_callbacks):
    invited = PersonFactory(user__email="ivo@example.com")
    Invitation.objects.create(person=invited, sent_at=NOW)
    client.force_login(hr.user)
    # HR themselves signed in just now; Eli (employee) and Maya (manager) never did, like Nia.
    assert "3 active people have never been invited or signed in." in client.get(reverse("people:directory")).text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:invite_everyone"), follow=True)

    assert "Invitations are on their way to 3 people." in response.text
    assert sorted(message.to[0] for message in mail.outbox) == ["eli@example.com", "maya@example.com",
                                                                "nia@example.com"]


class FailingForOneAddress(EmailBackend):
    def send_messages(self, messages):
        if any("broken@example.com" in message.to for message in messages):
            raise ConnectionError("550 mailbox unavailable")
        return super().send_messages(messages)


@override_settings(EMAIL_BACKEND="tests.people.test_invitations.FailingForOneAddress")
def test_one_invitation_that_cannot_be_sent_does_not_stop_the_others(newcomer):
    broken = PersonFactory(user__email="broken@example.com")

    sent = send_invitations(person_ids=[broken.pk, newcomer.pk], sent_by_id=None, now=NOW)

    assert sent == 1
    assert [message.to for message in mail.outbox] == [["nia@example.com"]]
    assert list(Invitation.objects.values_list("person", flat=True)) == [newcomer.pk]


@override_settings(OIDC_ENABLED=True, PASSWORD_SIGN_IN=False, OIDC_PROVIDER_NAME="Acme SSO",
                   SITE_URL="https://careers.example.com")
def test_with_single_sign_on_only_the_invitation_links_to_sign_in_and_no_password(newcomer):
    send_invitations(person_ids=[newcomer.pk], sent_by_id=None, now=NOW)

    body = mail.outbox[0].body
    assert "Sign in with Acme SSO here:\n\nhttps://careers.example.com/accounts/login/" in body
    assert "/people/welcome/" not in body and "password" not in body
