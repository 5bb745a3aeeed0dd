"""Invitations: a new person gets an e-mail with a link to choose their password (Django's token machinery), or,
when passwords are off, a link to sign in with the company account. HR can send another at any time.

A link works once: its token is made from the account's password and last sign-in, so setting a password or
signing in spends it. It also expires after INVITATION_VALID_DAYS.
"""

import logging

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from people.models import Invitation, Organisation, Person

logger = logging.getLogger(__name__)

# Invitations are sent by the worker in chunks, each over one connection to the mail server.
CHUNK_SIZE = 200


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset tokens under their own salt (a reset link is not an invitation, nor the reverse)
    and with the invitation's own lifetime."""

    key_salt = "people.invitations.InvitationTokenGenerator"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            timestamp_b36, _ = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - timestamp <= settings.INVITATION_VALID_DAYS * 24 * 60 * 60


invitation_tokens = InvitationTokenGenerator()


def invitation_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("people:invitation_accept", kwargs={"uidb64": uid, "token": invitation_tokens.make_token(user)})
    return settings.SITE_URL + path


def refusal(person):
    """Why this person cannot be invited, or None."""
    if not person.is_active or not person.user.is_active:
        return f"{person.name} has left the organisation."
    if not person.user.email:
        return f"{person.name} has no e-mail address."
    if person.user.last_login is not None:
        return f"{person.name} has signed in already."
    return None


def not_yet_invited():
    """Active people who have never signed in and were never sent an invitation."""
    return Person.objects.active().filter(user__last_login__isnull=True, invitations__isnull=True) \
        .exclude(user__email="")


def send_invitations(*, person_ids, sent_by_id, now):
    """Send an invitation to each of these people who can still be invited, over one mail connection.
    A message that fails is logged and skipped: it never stops the others. Returns how many were sent."""
    organisation = Organisation.current()
    people = Person.objects.filter(pk__in=person_ids).select_related("user")
    inviter = Person.objects.filter(user_id=sent_by_id).select_related("user").first() if sent_by_id else None
    sent = []
    with get_connection() as connection:
        for person in people:
            reason = refusal(person)
            if reason:
                logger.info("invitation not sent: %s", reason)
                continue
            try:
                _message(person, organisation=organisation, inviter=inviter, connection=connection).send()
            except Exception:
                logger.exception("invitation to person %s could not be sent", person.pk)
                continue
            sent.append(Invitation(person=person, sent_at=now, sent_by_id=sent_by_id))
    Invitation.objects.bulk_create(sent)
    return len(sent)


def _message(person, *, organisation, inviter, connection):
    context = {
        "person": person,
        "organisation": organisation,
        "inviter": inviter,
        "password_sign_in": settings.PASSWORD_SIGN_IN,
        "set_password_url": invitation_link(person.user) if settings.PASSWORD_SIGN_IN else None,
        "sign_in_url": settings.SITE_URL + reverse("login"),
        "sso_enabled": settings.OIDC_ENABLED,
        "sso_provider_name": settings.OIDC_PROVIDER_NAME,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    subject = render_to_string("people/email/invitation_subject.txt", context).strip()
    body = render_to_string("people/email/invitation.txt", context)
    return EmailMessage(subject=subject, body=body, to=[person.user.email], connection=connection)
