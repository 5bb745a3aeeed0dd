from celery import shared_task
from django.utils import timezone

from . import importing, invitations


@shared_task(name="people.run_import")
def run_people_import(import_id):
    now = timezone.now()
    importing.run_import(import_id=import_id, now=now, today=timezone.localdate(now))


# Each message's failure is caught inside; what reaches here is the mail server being unreachable before any was
# sent, so trying the whole chunk again later sends nothing twice.
@shared_task(name="people.send_invitations", autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_invitations(person_ids, sent_by_id=None):
    invitations.send_invitations(person_ids=person_ids, sent_by_id=sent_by_id, now=timezone.now())
