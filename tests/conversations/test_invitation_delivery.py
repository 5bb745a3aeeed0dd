"""Invitations leave the request through the broker: with a real worker they arrive; with the broker down the
booking still stands and is confirmed, and the missed invitation is logged for `manage.py send_invitations`."""

import logging
from unittest import mock

import pytest
from celery import Celery
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from conversations import booking, tasks
from conversations.availability import free_slots
from conversations.models import Conversation
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_broker():
    """Publish for real, with the app's publishing settings, to a Redis port where nothing listens.

    A Celery app of its own, so that the suite's app (and its connection pool) is left as it was.
    """
    down = Celery("broker-down", broker="redis://127.0.0.1:9/0", set_as_current=False)
    down.conf.update(broker_connection_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
                     task_publish_retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY)
    task = tasks.send_conversation_invitation

    def publish(*args):
        return down.send_task(task.name, args=args)

    with mock.patch.object(task, "delay", publish):
        yield
    down.close()


def test_booking_is_confirmed_and_the_missed_invitation_logged_when_the_broker_is_down(
        client, employee, manager, unreachable_broker, django_capture_on_commit_callbacks, caplog, mailoutbox):
    slot = free_slots(partner=manager, employee=employee, now=timezone.now())[0]
    client.force_login(employee.user)

    with caplog.at_level(logging.ERROR, logger="conversations.booking"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("conversations:book", args=[manager.pk]),
                                   {"starts_at": slot.key, "kind": "standalone"}, follow=True)

    conversation = Conversation.objects.get()
    assert "Booked: your career conversation with Maya Okafor is confirmed." in response.content.decode()
    assert f"invitation for conversation {conversation.pk} (sequence 0) not queued" in caplog.text
    assert mailoutbox == []


@pytest.mark.redis
def test_a_booking_reaches_both_mailboxes_through_redis_and_a_real_worker(employee, manager, celery_live_worker,
                                                                         mailoutbox):
    slot = free_slots(partner=manager, employee=employee, now=timezone.now())[0]

    conversation = booking.book_conversation(employee=employee, partner=manager, starts_at=slot.starts_at,
                                             now=timezone.now())

    wait_until(lambda: len(mailoutbox) == 2, timeout=30)
    assert sorted(message.to[0] for message in mailoutbox) == ["eli@example.com", "maya@example.com"]
    assert all(f"UID:{conversation.uid}@careerconv" in message.attachments[0].content.decode()
               for message in mailoutbox)
