"""What people write is encrypted at rest: the database, and so a dump of it, holds Fernet tokens only."""

import datetime
import os
import subprocess

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from careerconv.encryption import encrypted_columns
from conversations.forms.followup import NotesForm
from conversations.models import TEXT_LIMIT, Conversation, Notes, Preparation, Roadblock
from tests.support.factories import ActionItemFactory, ConversationFactory, NotesFactory
from tests.support.private_text import write_every_private_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(employee, manager):
    return ConversationFactory(employee=employee, partner=manager,
                               starts_at=timezone.now() - datetime.timedelta(days=3))


def stored_values():
    """(table.column, value) of every encrypted column of every row, read with raw SQL."""
    values = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            for column in encrypted_columns(model):
                cursor.execute(f'SELECT "{column}" FROM "{model._meta.db_table}"')
                values += [(f"{model._meta.db_table}.{column}", value) for (value,) in cursor.fetchall()]
    return values


def test_every_private_text_is_stored_as_a_token_and_read_back_as_written(conversation):
    markers = write_every_private_text(conversation)

    stored = stored_values()

    assert {column for column, _ in stored} >= {
        "conversations_preparation.abilities", "conversations_preparation.aspiration_target",
        "conversations_notes.summary", "conversations_notes.peer_differentiators",
        "conversations_conversation.employee_reflection", "conversations_conversation.change_reason",
        "conversations_actionitem.text", "conversations_roadblock.text", "conversations_notification.title",
        "conversations_notification.body", "conversations_reminderemail.subject_line",
    }
    for column, value in stored:
        assert value.startswith("gAAAAA"), column
        assert not any(marker in value for marker in markers.values()), column
    private = Notes.objects.get(visibility=Notes.Visibility.PRIVATE)
    assert private.summary == markers[("Notesprivate", "summary")]
    assert Preparation.objects.get().aspiration_target == markers[("Preparation", "aspiration_target")]
    assert Conversation.objects.values_list("change_reason", flat=True).get() == markers[("Conversation",
                                                                                         "change_reason")]


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_none_of_what_people_wrote(conversation):
    markers = write_every_private_text(conversation)
    database = connection.settings_dict

    dump = subprocess.run(
        ["pg_dump", "--no-owner", "-h", database["HOST"] or "127.0.0.1", "-p", str(database["PORT"] or 5432),
         "-U", database["USER"], database["NAME"]],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PGPASSWORD": database["PASSWORD"] or ""})

    assert dump.returncode == 0, dump.stderr
    assert "conversations_notes" in dump.stdout
    assert conversation.employee.user.username in dump.stdout  # the dump is of these rows
    assert [marker for marker in markers.values() if marker in dump.stdout] == []


def test_rotation_reencrypts_every_row_with_the_new_key_and_leaves_it_readable(conversation, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    markers = write_every_private_text(conversation)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_encryption_key", batch_size=2, stdout=open(os.devnull, "w"))

    stored = stored_values()
    assert stored
    for _column, value in stored:
        Fernet(new_key).decrypt(value.encode())
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(value.encode())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Notes.objects.get(visibility=Notes.Visibility.PRIVATE).summary == markers[("Notesprivate", "summary")]
    assert Roadblock.objects.get().text == markers[("Roadblock", "text")]


def test_rotation_run_again_changes_nothing(conversation, settings):
    write_every_private_text(conversation)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_encryption_key", stdout=open(os.devnull, "w"))
    first = stored_values()

    call_command("rotate_encryption_key", stdout=open(os.devnull, "w"))

    assert stored_values() == first


def test_a_row_changed_by_the_app_during_rotation_keeps_its_new_text(conversation, settings):
    from careerconv.encryption import reencrypt_if_old, rewrite_rows

    NotesFactory(conversation=conversation, summary="before")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]

    def rewrite_while_the_app_saves(value):
        Notes.objects.update(summary="saved meanwhile")
        return reencrypt_if_old(value)

    rewrite_rows(connection, Notes, rewrite_while_the_app_saves)

    assert Notes.objects.get().summary == "saved meanwhile"


def test_a_text_that_no_key_opens_is_reported_as_such(conversation, settings):
    NotesFactory(conversation=conversation)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(Exception, match="cannot be decrypted with any key of FIELD_ENCRYPTION_KEYS"):
        Notes.objects.get()


def test_the_length_limit_applies_to_what_was_written_not_to_its_token(conversation):
    fits = NotesForm(data={"shared-summary": "x" * TEXT_LIMIT}, visibility="shared")
    too_long = NotesForm(data={"shared-summary": "x" * (TEXT_LIMIT + 1)}, visibility="shared")
    action = ActionItemFactory.build(conversation=conversation, text="x" * 500)
    action.full_clean()
    action.text = "x" * 501

    assert fits.is_valid(), fits.errors
    assert not too_long.is_valid()
    assert too_long.errors["summary"] == [f"Keep this to {TEXT_LIMIT} characters or fewer (it has {TEXT_LIMIT + 1})."]
    with pytest.raises(ValidationError, match="at most 500 characters"):
        action.full_clean()


@pytest.mark.parametrize("lookup", ["summary__startswith", "summary__contains", "summary__regex", "summary__gt",
                                    "summary__iexact", "summary"])
def test_an_encrypted_text_cannot_be_searched_or_compared_in_sql(lookup):
    with pytest.raises(FieldError):
        list(Notes.objects.filter(**{lookup: "a"}))

