from celery import shared_task
from django.utils import timezone

from . import importing, invitations


@shared_task(name="people.run_import")
def run_people_import(import_id):
    now = timezone.now()
    importing.run_import(import_id=import_id, now=now, today=timezone.localdate(now))


@shared_task(name="people.send_invitations")
def send_invitations(person_ids, sent_by_id=None):
    invitations.send_invitations(person_ids=person_ids, sent_by_id=sent_by_id, now=timezone.now())
