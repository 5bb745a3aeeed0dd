"""A wrong key stops the start: migrate (the first thing the stack runs) and `check --database default` refuse
when the stored text does not open with FIELD_ENCRYPTION_KEYS, and say what to do."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from careerconv.encryption import _fernets
from tests.support.factories import ActionItemFactory

pytestmark = pytest.mark.django_db


def test_the_right_key_passes_the_check():
    ActionItemFactory(text="Ask for the platform lead's introduction")

    call_command("check", databases=["default"])


def test_a_wrong_key_stops_the_start_with_a_clear_message(settings):
    ActionItemFactory(text="Ask for the platform lead's introduction")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    _fernets.cache_clear()

    with pytest.raises(SystemCheckError) as refused:
        call_command("check", databases=["default"])

    assert "conversations.ActionItem.text holds text that none of FIELD_ENCRYPTION_KEYS opens" in str(refused.value)
    assert "rotate_encryption_key" in str(refused.value)


def test_plain_text_left_by_an_older_version_does_not_stop_the_migration_that_encrypts_it():
    item = ActionItemFactory(text="written before encryption")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE conversations_actionitem SET text = %s WHERE id = %s", ["written before encryption",
                                                                                       item.pk])

    call_command("check", databases=["default"])
