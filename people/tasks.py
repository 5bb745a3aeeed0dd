from celery import shared_task
from django.db import transaction
from django.utils import timezone

from people import importing, invitations
from people.invitations import CHUNK_SIZE
from people.models import PeopleImport


@shared_task(name="people.run_import")
def run_people_import(import_id):
    now = timezone.now()
    invitees = importing.run_import(import_id=import_id, now=now, today=timezone.localdate(now))
    if invitees:
        people_import = PeopleImport.objects.get(pk=import_id)
        invite_later(person_ids=invitees, sent_by_id=people_import.created_by_id)


# Each message's failure is caught inside; what reaches here is the mail server being unreachable before any was
# sent, so trying the whole chunk again later sends nothing twice.
@shared_task(name="people.send_invitations", autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_invitations(person_ids, sent_by_id=None):
    invitations.send_invitations(person_ids=person_ids, sent_by_id=sent_by_id, now=timezone.now())


def invite_later(*, person_ids, sent_by_id=None):
    """Have the worker send invitations once the current transaction commits (so it sees these people)."""
    ids = list(person_ids)
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start:start + CHUNK_SIZE]
        transaction.on_commit(lambda chunk=chunk: send_invitations.delay(chunk, sent_by_id))
