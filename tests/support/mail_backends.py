"""E-mail backends that fail the way mail servers do, for the retry tests. Sent messages land in mail.outbox."""

import smtplib

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class FlakyBackend(BaseEmailBackend):
    """Fails the next `failures` sends with a dropped connection, then delivers; records every attempt."""

    failures = 0
    attempts = []

    def send_messages(self, messages):
        FlakyBackend.attempts.extend(messages)
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(messages)
        return len(messages)


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"5.1.1 No such user")})
