"""Celery task that records the lock on notes whose edit window has passed (run by beat)."""

from celery import shared_task
from django.utils import timezone

from .notes import record_notes_locks


@shared_task(name="conversations.record_notes_locks")
def record_notes_locks_task():
    return record_notes_locks(now=timezone.now())
