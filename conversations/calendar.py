"""Conversations in people's calendars: iCalendar invitations by e-mail, a download, and a personal feed.

An invitation keeps one UID for the life of a conversation and carries its SEQUENCE, raised by every reschedule
and cancellation, so that Google Calendar, Outlook and Apple Calendar update or remove the event they already
hold instead of adding another. Times are written in UTC, which every client converts to its own zone.

The partner is the ORGANIZER, sent by careerconv on their behalf (SENT-BY): the messages come from careerconv's
address, and the clients that compare sender and organiser accept a delegate named this way.
"""

import datetime
import logging
import re
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vDuration

from conversations.calendars import CalendarError, caldav_account
from conversations.models import CalendarConnection, CalendarCopy, Conversation
from people.models import Person, new_calendar_token

logger = logging.getLogger(__name__)

PRODID = "-//careerconv//Career conversations//EN"
# How far back the personal feed reaches; everything still to come is always in it.
FEED_HISTORY = datetime.timedelta(days=365)
FEED_REFRESH = datetime.timedelta(hours=1)
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
FEED_TOKEN_MAX_LENGTH = Person._meta.get_field("calendar_token").max_length


def event_uid(conversation):
    """The conversation's calendar identity: never changes, whatever happens to the site's address."""
    return f"{conversation.uid}@careerconv"


def absolute_url(path):
    return settings.SITE_URL + path


def _address(person, **params):
    return vCalAddress.new(person.email, cn=person.name, **params)


def _summary(conversation, viewer):
    other = conversation.other_participant(viewer)
    return f"Career conversation with {other.name}"


def _description(conversation, viewer):
    lines = [
        f"Career conversation between {conversation.employee.name} and {conversation.partner.name} "
        f"({conversation.get_relation_display().lower()}).",
        conversation.get_kind_display() + ".",
    ]
    if conversation.status == Conversation.Status.CANCELLED:
        lines.append(f"Cancelled: {conversation.change_reason}")
    elif conversation.sequence and conversation.change_reason:
        lines.append(f"Rescheduled: {conversation.change_reason}")
    lines.append(f"Open it in careerconv: {absolute_url(conversation.get_absolute_url())}")
    if viewer.pk == conversation.employee_id:
        lines.append(f"Prepare for it: {absolute_url(reverse('conversations:prepare', args=[conversation.pk]))}")
    return "\n\n".join(lines)


def conversation_event(conversation, *, viewer, now):
    """The conversation as a VEVENT, worded for one of its participants."""
    cancelled = conversation.status == Conversation.Status.CANCELLED
    attendees = [
        _address(person, role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp=False, cutype="INDIVIDUAL")
        for person in (conversation.employee, conversation.partner)
        if person.email
    ]
    organizer = None
    if conversation.partner.email:
        sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        organizer = _address(conversation.partner, sent_by=f"mailto:{sender}" if sender else None)
    return Event.new(
        uid=event_uid(conversation),
        sequence=conversation.sequence,
        stamp=now,
        created=conversation.created_at,
        last_modified=conversation.updated_at,
        start=conversation.starts_at.astimezone(datetime.UTC),
        end=conversation.ends_at.astimezone(datetime.UTC),
        summary=_summary(conversation, viewer),
        description=_description(conversation, viewer),
        location=conversation.location or None,
        url=absolute_url(conversation.get_absolute_url()),
        status="CANCELLED" if cancelled else "CONFIRMED",
        transparency="TRANSPARENT" if cancelled else "OPAQUE",
        organizer=organizer,
        attendees=attendees,
    )


def _calendar(*, method=None, name=None, events=()):
    calendar = Calendar.new(prodid=PRODID, method=method, name=name, subcomponents=list(events))
    # Calendar.new gives the VCALENDAR a random UID of its own (RFC 7986); the only UID a calendar client should
    # meet is the event's stable one, so the random one goes.
    del calendar["UID"]
    return calendar


def invitation_method(conversation):
    return "CANCEL" if conversation.status == Conversation.Status.CANCELLED else "REQUEST"


def invitation_ics(conversation, *, viewer, now):
    """The iTIP message (METHOD:REQUEST, or CANCEL once called off) e-mailed to a participant."""
    event = conversation_event(conversation, viewer=viewer, now=now)
    return _calendar(method=invitation_method(conversation), events=[event]).to_ical()


def download_ics(conversation, *, viewer, now):
    """The .ics file offered on the conversation page: a plain event (METHOD:PUBLISH) any calendar imports."""
    event = conversation_event(conversation, viewer=viewer, now=now)
    return _calendar(method="PUBLISH", events=[event]).to_ical()


def feed_ics(person, *, now):
    """A person's subscription feed: their conversations of the last year and all to come, cancelled ones left
    out (a subscribed calendar drops what leaves the feed)."""
    conversations = (
        Conversation.objects.involving(person)
        .exclude(status=Conversation.Status.CANCELLED)
        .filter(starts_at__gte=now - FEED_HISTORY)
        .select_related("employee__user", "partner__user")
        .order_by("starts_at")
    )
    events = [conversation_event(conversation, viewer=person, now=now) for conversation in conversations]
    calendar = _calendar(method="PUBLISH", name=f"Career conversations · {person.name}", events=events)
    # RFC 7986 wants the value type named; the older X-PUBLISHED-TTL that Outlook reads is a plain duration.
    calendar.add("REFRESH-INTERVAL", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH))
    return calendar.to_ical()


def person_for_feed(token):
    """The active person whose feed this secret opens, or None for an unknown or revoked secret."""
    # Secrets are URL-safe base64 (new_calendar_token); anything else, such as a NUL byte that PostgreSQL refuses
    # in a query, opens nothing without asking the database.
    if not token or len(token) > FEED_TOKEN_MAX_LENGTH or not FEED_TOKEN.fullmatch(token):
        return None
    return Person.objects.select_related("user").filter(calendar_token=token, is_active=True).first()


def rotate_calendar_token(*, person):
    """Give the person a new feed secret: every subscription made with the old address stops working."""
    person.calendar_token = new_calendar_token()
    Person.objects.filter(pk=person.pk).update(calendar_token=person.calendar_token)
    return person.calendar_token


def feed_url(person):
    return absolute_url(reverse("conversations:calendar_feed", args=[person.calendar_token]))


# --- E-mail ---------------------------------------------------------------------------------------------------


def change_of(conversation):
    """What the invitation announces: booked, rescheduled or cancelled."""
    if conversation.status == Conversation.Status.CANCELLED:
        return "cancelled"
    return "rescheduled" if conversation.sequence else "booked"


def invitation_message(conversation, *, recipient, now):
    """The e-mail to one participant: text and HTML bodies, the iTIP part calendars act on, and an .ics file."""
    method = invitation_method(conversation)
    ics = invitation_ics(conversation, viewer=recipient, now=now)
    with timezone.override(recipient.tz):
        context = {
            "conversation": conversation,
            "recipient": recipient,
            "other": conversation.other_participant(recipient),
            "change": change_of(conversation),
            "is_employee": recipient.pk == conversation.employee_id,
            "conversation_url": absolute_url(conversation.get_absolute_url()),
            "prepare_url": absolute_url(reverse("conversations:prepare", args=[conversation.pk])),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("conversations/email/invitation_subject.txt", context).strip()
        text = render_to_string("conversations/email/invitation.txt", context)
        html = render_to_string("conversations/email/invitation.html", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=[recipient.email],
                                     headers={"Message-ID": invitation_message_id(conversation, recipient=recipient)})
    message.attach_alternative(html, "text/html")
    # The text/calendar alternative with its method is what makes Gmail and Outlook show an invitation; the
    # attached file is for clients (and people) that only look at attachments.
    message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
    message.attach("invite.ics", ics, "application/ics")
    return message


def invitation_message_id(conversation, *, recipient):
    """The same Message-ID every time one version of an invitation goes to one person, so a mail system (or a
    person) can tell a re-sent invitation from a new one."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<invitation-{conversation.pk}-{conversation.sequence}-{recipient.pk}@{domain}>"


def send_invitation(*, conversation_id, sequence, now, recipient_id=None):
    """E-mail the conversation's invitation to both participants (or one), unless it has changed since.

    A change raises the sequence and queues its own invitation, so an older one that arrives late is dropped
    rather than sent after the newer one. Returns the number of e-mails sent.
    """
    conversation = (
        Conversation.objects.select_related("employee__user", "partner__user", "cancelled_by__user")
        .filter(pk=conversation_id).first()
    )
    if conversation is None:
        return 0
    if conversation.sequence != sequence:
        logger.info("invitation for conversation %s skipped: sequence %s superseded by %s", conversation_id,
                    sequence, conversation.sequence)
        return 0
    recipients = [person for person in (conversation.employee, conversation.partner)
                  if person.email and (recipient_id is None or person.pk == recipient_id)]
    messages = [invitation_message(conversation, recipient=person, now=now) for person in recipients]
    if messages:
        get_connection().send_messages(messages)
    logger.info("invitation for conversation %s (sequence %s, %s) sent to %s", conversation_id, sequence,
                invitation_method(conversation), [person.pk for person in recipients])
    return len(messages)


def resend_invitations(*, since, now):
    """E-mail both participants the current invitation of every conversation changed since a time: the way to
    catch up after the broker was unreachable and invitations were not queued. Returns (sent, failed) counts.

    Calendars apply a repeated invitation as a no-op (same UID and SEQUENCE), so sending one twice is harmless.
    """
    sent = failed = 0
    changed = Conversation.objects.filter(updated_at__gte=since).order_by("updated_at").values_list("pk", "sequence")
    for conversation_id, sequence in changed:
        try:
            sent += send_invitation(conversation_id=conversation_id, sequence=sequence, now=now)
        except Exception:
            # One unreachable mailbox must not stop the others: log it and go on.
            logger.exception("invitation for conversation %s not sent", conversation_id)
            failed += 1
    return sent, failed


# --- Written back to the partner's own calendar (CalDAV) -----------------------------------------------------


def calendar_copy_ics(conversation, *, now):
    """The conversation as stored in the partner's CalDAV calendar: no METHOD, and no organiser or attendees, so
    that a server doing scheduling (RFC 6638) does not send invitations of its own."""
    event = conversation_event(conversation, viewer=conversation.partner, now=now)
    for name in ("ORGANIZER", "ATTENDEE"):
        event.pop(name, None)
    return _calendar(events=[event]).to_ical().decode()


def write_back(*, conversation_id, now):
    """Bring the partner's chosen CalDAV calendars up to date with the conversation: written (PUT with its UID,
    so that a reschedule moves it) while it is active, removed once called off. Each calendar's outcome is kept in
    CalendarCopy for the partner to see. Raises CalendarError after recording it when any calendar failed, so that
    the task retries; a booking never waits for this."""
    conversation = Conversation.objects.select_related("employee__user", "partner__user").get(pk=conversation_id)
    written_to = CalendarCopy.objects.filter(conversation=conversation).values("connection")
    targets = CalendarConnection.objects.filter(person_id=conversation.partner_id).filter(
        ~Q(write_calendar="") | Q(pk__in=written_to))
    failed = None
    for connection in targets:
        copy = CalendarCopy.objects.filter(conversation=conversation, connection=connection).first()
        calendar_url = copy.calendar_url if copy else connection.write_calendar
        try:
            if conversation.is_active and connection.write_calendar:
                if copy and copy.calendar_url != connection.write_calendar:
                    caldav_account.delete_event(connection, calendar_url=copy.calendar_url,
                                                uid=event_uid(conversation))
                calendar_url = connection.write_calendar
                caldav_account.put_event(connection, calendar_url=calendar_url, uid=event_uid(conversation),
                                         text=calendar_copy_ics(conversation, now=now))
                state, error = CalendarCopy.State.WRITTEN, ""
            else:
                caldav_account.delete_event(connection, calendar_url=calendar_url, uid=event_uid(conversation))
                state, error = CalendarCopy.State.REMOVED, ""
        except CalendarError as problem:
            state, error, failed = CalendarCopy.State.FAILED, problem.message, problem
        CalendarCopy.objects.update_or_create(
            conversation=conversation, connection=connection,
            defaults={"calendar_url": calendar_url, "state": state, "sequence": conversation.sequence,
                      "error": error, "attempted_at": now})
    if failed is not None:
        raise failed


def copies_to_write(*, now):
    """Coming conversations whose partner's calendar copy is missing, behind, or failed: what a lost task or a
    broker outage left undone, found again by the periodic calendar task."""
    behind = CalendarCopy.objects.filter(conversation=OuterRef("pk"), connection__person=OuterRef("partner")) \
        .filter(Q(sequence__lt=OuterRef("sequence")) | Q(state=CalendarCopy.State.FAILED))
    copied = CalendarCopy.objects.filter(conversation=OuterRef("pk"))
    writing = CalendarConnection.objects.filter(person=OuterRef("partner")).exclude(write_calendar="")
    return list(Conversation.objects.filter(ends_at__gt=now)
                .filter(Exists(behind) | (Exists(writing) & ~Exists(copied)
                                          & Q(status__in=Conversation.ACTIVE_STATUSES)))
                .values_list("pk", flat=True))
