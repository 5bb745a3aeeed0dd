"""Sending reminders exactly once: bundle, claim, send, mark.

1. `dispatch` (run by the sweep) finds people with reminders that may go out now (their 08:00–18:00 window is
   open) and e-mails whose next attempt is due, and hands them to workers in chunks.
2. `deliver` (a worker, per chunk of people) drops what is no longer relevant, then puts each person's reminders
   into e-mails: the day-before "upcoming" reminder alone, everything else into one bundle a day.
3. `send_email` claims an e-mail, renders it, records the in-app notifications, sends it and marks it sent; a
   failed send is tried again with backoff and marked failed after the last attempt.

Every step that two workers could run at once is decided by the database, never by a read followed by a write.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Least
from kombu.exceptions import KombuError

from conversations.models import Reminder, ReminderEmail
from conversations.notifications import ORGANISATION_ACTION_KEYS, Notice, notify
from conversations.reminders import content
from conversations.reminders.clock import clock_for
from conversations.reminders.restate import restate_organisation_bundles
from conversations.reminders.selection import Context, due_now
from people.models import Person

logger = logging.getLogger(__name__)

CHUNK_SIZE = 200
MAX_ATTEMPTS = 5
FIRST_RETRY = datetime.timedelta(minutes=1)
BACKOFF_FACTOR = 5  # 1, 5, 25 and 125 minutes between the five attempts
# A claim older than this belongs to a worker that died mid-send. Taking it over may send that e-mail twice if
# the worker died after the mail server accepted it and before marking it sent; the alternative is to lose it.
STALE_CLAIM = datetime.timedelta(minutes=15)
# Chunks left in the queue longer than this are dropped by the worker: the next sweep hands out what is still
# waiting, so a stopped worker does not come back to a pile of duplicates.
TASK_EXPIRES = datetime.timedelta(minutes=10)


def backoff(attempts):
    return FIRST_RETRY * BACKOFF_FACTOR ** (attempts - 1)


# --- 1. Dispatch ---------------------------------------------------------------------------------------------


@dataclass
class Dispatch:
    recipients: int = 0
    chunks: int = 0
    retries: int = 0
    error: str = ""

    def __str__(self):
        text = f"{self.recipients} people in {self.chunks} chunks to deliver, {self.retries} e-mails to retry"
        return f"{text} (not handed over: {self.error})" if self.error else text


def _chunks(ids):
    return [ids[start:start + CHUNK_SIZE] for start in range(0, len(ids), CHUNK_SIZE)]


def dispatch(*, ctx, enqueue):
    """Hand what may go out at ctx.now to workers: `enqueue(deliveries, retries, now=)` gets lists of chunks.

    When the broker is unreachable nothing is lost: the rows stay waiting and the next sweep hands them over.
    """
    now = ctx.now
    open_zones = [name for name, clock in ctx.clocks.items() if clock.window_open]
    recipients = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, email__isnull=True, not_before__lte=now,
                                recipient__timezone__in=open_zones)
        .order_by("recipient_id").values_list("recipient_id", flat=True).distinct()
    )
    retries = list(
        ReminderEmail.objects.filter(Q(status=ReminderEmail.Status.PENDING, next_attempt_at__lte=now)
                                     | Q(status=ReminderEmail.Status.SENDING, claimed_at__lt=now - STALE_CLAIM),
                                     recipient__timezone__in=open_zones)
        .order_by("pk").values_list("pk", flat=True)
    )
    result = Dispatch(recipients=len(recipients), chunks=len(_chunks(recipients)), retries=len(retries))
    if recipients or retries:
        try:
            enqueue(_chunks(recipients), _chunks(retries), now=now)
        except (KombuError, OSError) as error:
            logger.warning("Could not hand reminders to workers (%s); the next sweep will.", error)
            result.error = str(error) or error.__class__.__name__
    return result


# --- 2. Deliver ----------------------------------------------------------------------------------------------


def skip_irrelevant(ctx, recipient_ids, *, email=None):
    """Mark skipped the waiting reminders of these people that the sweep would no longer decide at ctx.now (a
    conversation booked meanwhile, an action done, a preference turned off, someone who left)."""
    due = due_now(ctx, recipient_ids)
    if email is None:
        waiting = Reminder.objects.filter(recipient_id__in=recipient_ids, status=Reminder.Status.PENDING,
                                          email__isnull=True)
    else:
        waiting = Reminder.objects.filter(email=email, status=Reminder.Status.SENDING)
    stale = [pk for pk, *key in waiting.values_list("pk", "kind", "recipient_id", "subject", "period")
             if tuple(key) not in due]
    if stale:
        # The status in the filter keeps a reminder another worker has just taken into an e-mail out of reach.
        waiting.filter(pk__in=stale).update(status=Reminder.Status.SKIPPED,
                                            last_error=f"No longer relevant at {ctx.now:%Y-%m-%d %H:%M} UTC.")
    return len(stale)


class _NothingTaken(Exception):
    pass


def _open_email(*, recipient, reminders, bundle_day, now):
    """Create an e-mail and take the reminders into it, atomically. Returns the e-mail, or None when another
    worker took them first; raises IntegrityError when today's bundle for this person exists already."""
    try:
        with transaction.atomic():
            email = ReminderEmail.objects.create(recipient=recipient, bundle_day=bundle_day, next_attempt_at=now)
            # Guards two workers bundling the same reminders: only rows still waiting and in no e-mail are taken;
            # the second UPDATE waits for the first to commit, then finds none and rolls its e-mail back.
            taken = Reminder.objects.filter(
                pk__in=[reminder.pk for reminder in reminders], status=Reminder.Status.PENDING, email__isnull=True,
            ).update(email=email, status=Reminder.Status.SENDING, claimed_at=now)
            if not taken:
                raise _NothingTaken
    except _NothingTaken:
        return None
    return email


def _postpone(reminders, until):
    Reminder.objects.filter(pk__in=[reminder.pk for reminder in reminders], status=Reminder.Status.PENDING,
                            email__isnull=True).update(not_before=until)


def _emails_for(*, ctx, recipient, reminders, is_manager):
    """The e-mails to send now for one person's waiting reminders; what may not go now is postponed."""
    clock = ctx.clocks.get(recipient.timezone) or clock_for(recipient.timezone, now=ctx.now)
    if clock is None:
        return []
    if not clock.window_open:
        # The chunk waited in the queue past the end of the window: tomorrow morning, then.
        _postpone(reminders, clock.next_window)
        return []
    emails = []
    # The day-before reminder of a conversation goes alone and does not count towards the daily e-mail.
    for reminder in [reminder for reminder in reminders if reminder.kind == Reminder.Kind.UPCOMING]:
        email = _open_email(recipient=recipient, reminders=[reminder], bundle_day=None, now=ctx.now)
        if email:
            emails.append(email)
    bundled = [reminder for reminder in reminders if reminder.kind != Reminder.Kind.UPCOMING]
    if not bundled:
        return emails
    if is_manager and clock.before_digest:
        # Monday before 09:00: a manager's reminders wait an hour to go out with the weekly digest.
        _postpone(bundled, clock.digest_time)
        return emails
    try:
        email = _open_email(recipient=recipient, reminders=bundled, bundle_day=clock.today, now=ctx.now)
    except IntegrityError:
        # Today's e-mail has gone already (the unique bundle_day says so): these wait for tomorrow's.
        _postpone(bundled, clock.tomorrows_window)
        return emails
    if email:
        emails.append(email)
    return emails


@dataclass
class Delivery:
    skipped: int = 0
    emails: int = 0
    sent: int = 0


def deliver(*, recipient_ids, now):
    """Put these people's waiting reminders into e-mails and send them."""
    ctx = Context.at(now)
    result = Delivery(skipped=skip_irrelevant(ctx, recipient_ids))
    waiting = {}
    for reminder in (Reminder.objects.filter(recipient_id__in=recipient_ids, status=Reminder.Status.PENDING,
                                             email__isnull=True, not_before__lte=now)
                     .select_related("recipient").order_by("recipient_id", "pk")):
        waiting.setdefault(reminder.recipient, []).append(reminder)
    managers = set(Person.objects.filter(pk__in=recipient_ids, reports__is_active=True).values_list("pk", flat=True))
    emails = []
    for recipient, reminders in waiting.items():
        try:
            emails.extend(_emails_for(ctx=ctx, recipient=recipient, reminders=reminders,
                                      is_manager=recipient.pk in managers))
        except DatabaseError:
            logger.exception("Bundling reminders for person %s failed; the next sweep tries again.", recipient.pk)
    result.emails = len(emails)
    result.sent = send_emails([email.pk for email in emails], now=now)
    return result


# --- 3. Send -------------------------------------------------------------------------------------------------


def send_emails(email_ids, *, now):
    """Send several e-mails, over one session with the mail server; returns how many went out."""
    shared = get_connection()
    smtp = isinstance(shared, SMTPBackend)
    if smtp:
        try:
            shared.open()
        except (smtplib.SMTPException, OSError):
            # Each e-mail tries again on its own and records the failure against itself, with its retry.
            logger.warning("Mail server unreachable; each e-mail will record the failure.")
    # Files and the console get a backend per e-mail (one file per e-mail in var/mail/), all kept until the end:
    # the file backend names its file after the backend object's id, which a freed object's successor may reuse.
    connections = []
    sent = 0
    try:
        for email_id in email_ids:
            connection = shared if smtp else get_connection()
            connections.append(connection)
            try:
                sent += send_email(email_id=email_id, now=now, connection=connection) == ReminderEmail.Status.SENT
            except DatabaseError:
                logger.exception("Sending reminder e-mail %s failed; it is tried again later.", email_id)
    finally:
        for connection in [shared] if smtp else connections:
            connection.close()
    return sent


def _claim(email_id, *, now):
    """Take an e-mail for sending. Guards duplicate tasks, a retry racing the sweep's own retry, and two workers
    holding the same id: the conditional UPDATE lets exactly one of them through. A claim abandoned by a worker
    that died is taken over after STALE_CLAIM."""
    return ReminderEmail.objects.filter(pk=email_id).filter(
        Q(status=ReminderEmail.Status.PENDING, next_attempt_at__lte=now)
        | Q(status=ReminderEmail.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    ).update(status=ReminderEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)


def _message_id(email):
    # The same Message-ID on every attempt, so a mail system that saw a retried e-mail already can drop it.
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<reminders-{email.pk}-{email.created_at:%Y%m%d%H%M%S}@{domain}>"


def _finish(email, *, now, status, error="", next_attempt_at=None):
    """Record the outcome of our attempt, unless the claim has been taken over meanwhile."""
    ours = ReminderEmail.objects.filter(pk=email.pk, status=ReminderEmail.Status.SENDING, claimed_at=now)
    fields = {"status": status, "last_error": error}
    if status == ReminderEmail.Status.SENT:
        fields["sent_at"] = now
    if status == ReminderEmail.Status.SKIPPED:
        fields["bundle_day"] = None  # an e-mail that never went out does not use up the day's e-mail
    if next_attempt_at is not None:
        fields["next_attempt_at"] = next_attempt_at
    if not ours.update(subject_line=email.subject_line, **fields):
        return False
    # Skipped for want of an address, the reminders still reached the person in the app: they count as sent.
    reminder_status = {ReminderEmail.Status.SENT: Reminder.Status.SENT,
                       ReminderEmail.Status.SKIPPED: Reminder.Status.SENT,
                       ReminderEmail.Status.FAILED: Reminder.Status.FAILED}.get(status, Reminder.Status.SENDING)
    email.reminders.filter(status=Reminder.Status.SENDING).update(
        status=reminder_status, attempts=email.attempts, last_error=error,
        sent_at=now if reminder_status == Reminder.Status.SENT else None,
    )
    return True


def send_email(*, email_id, now, connection=None):
    """Claim, render, notify, send, mark. Returns the e-mail's status after this call."""
    email = ReminderEmail.objects.select_related("recipient__user").filter(pk=email_id).first()
    if email is None or email.status not in (ReminderEmail.Status.PENDING, ReminderEmail.Status.SENDING):
        return email.status if email else None
    recipient = email.recipient
    clock = clock_for(recipient.timezone, now=now)
    if clock is not None and not clock.window_open:
        ReminderEmail.objects.filter(pk=email.pk, status=ReminderEmail.Status.PENDING).update(
            next_attempt_at=clock.next_window)
        return email.status
    if not _claim(email.pk, now=now):
        return email.status
    email.refresh_from_db()

    if email.attempts > 1:
        # A retry, perhaps hours later: drop what has stopped being relevant meanwhile.
        skip_irrelevant(Context.at(now), [recipient.pk], email=email)
    reminders = list(email.reminders.filter(status=Reminder.Status.SENDING))
    message = content.compose(recipient=recipient, reminders=reminders, now=now) if reminders else None
    if message and message.missing:
        Reminder.objects.filter(pk__in=[reminder.pk for reminder in message.missing]).update(
            status=Reminder.Status.SKIPPED, last_error="What it was about no longer exists.")
    if message is None or not message.items:
        _finish(email, now=now, status=ReminderEmail.Status.SKIPPED, error="Nothing left to send.")
        return ReminderEmail.Status.SKIPPED

    email.subject_line = message.subject[:200]
    # The in-app copy does not depend on the mail server: it is there even if every e-mail attempt fails.
    notify(*(Notice(recipient=recipient, title=item.title, body=item.body, url=item.path, reminder=item.reminder,
                    key=item.key)
             for item in message.items))
    if any(item.key in ORGANISATION_ACTION_KEYS for item in message.items):
        # An action now overdue leaves the "due soon" item that listed it: HR sees it once.
        restate_organisation_bundles(now=now, recipients=[recipient])
    if not recipient.email:
        _finish(email, now=now, status=ReminderEmail.Status.SKIPPED, error="No e-mail address: in-app only.")
        return ReminderEmail.Status.SKIPPED

    mail = EmailMultiAlternatives(subject=message.subject, body=message.text, to=[recipient.email],
                                  connection=connection, headers={"Message-ID": _message_id(email)})
    mail.attach_alternative(message.html, "text/html")
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as error:
        # The address itself is refused: trying again will not help.
        _finish(email, now=now, status=ReminderEmail.Status.FAILED, error=f"Address refused: {error}")
        return ReminderEmail.Status.FAILED
    except (smtplib.SMTPException, OSError) as error:
        if connection is not None:
            connection.close()  # a broken connection is reopened by the next e-mail
        error_text = f"Attempt {email.attempts} of {MAX_ATTEMPTS}: {error.__class__.__name__}: {error}"
        if email.attempts >= MAX_ATTEMPTS:
            _finish(email, now=now, status=ReminderEmail.Status.FAILED, error=error_text)
            return ReminderEmail.Status.FAILED
        _finish(email, now=now, status=ReminderEmail.Status.PENDING, error=error_text,
                next_attempt_at=now + backoff(email.attempts))
        return ReminderEmail.Status.PENDING
    _finish(email, now=now, status=ReminderEmail.Status.SENT)
    return ReminderEmail.Status.SENT


def try_again(emails, *, now):
    """Give failed e-mails a fresh set of attempts, from the next sweep on (an action in the admin)."""
    failed = emails.filter(status=ReminderEmail.Status.FAILED)
    Reminder.objects.filter(email__in=failed, status=Reminder.Status.FAILED).update(status=Reminder.Status.SENDING)
    return failed.update(status=ReminderEmail.Status.PENDING, attempts=0,
                         next_attempt_at=Least(F("next_attempt_at"), Value(now)))
