"""Checks Django runs before it changes the database (`migrate`, which the compose stack runs before anything else
starts) and on `manage.py check --database default`."""

from django.apps import apps
from django.core.checks import Error, Tags, register
from django.db import DatabaseError, connection

from careerconv.encryption import UndecryptableText, decrypt, encrypted_columns

# Every Fernet token starts with its version byte, 0x80, which base64 writes as "gAAAAA".
FERNET_TOKEN_PREFIX = "gAAAAA"


@register(Tags.database)
def encryption_keys_open_the_stored_text(app_configs, databases, **kwargs):
    """A well-formed key that is not the one the texts were written with would only show when someone opens a page:
    look at one stored value of each encrypted table now, so that a wrong FIELD_ENCRYPTION_KEYS stops the start."""
    if not databases or "default" not in databases:
        return []
    errors = []
    for model in apps.get_models():
        columns = encrypted_columns(model)
        if not columns:
            continue
        quote = connection.ops.quote_name
        column = quote(columns[0])
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {column} FROM {quote(model._meta.db_table)} "  # noqa: S608 (names from models)
                               f"WHERE {column} IS NOT NULL AND {column} <> '' LIMIT 1")
                row = cursor.fetchone()
        except DatabaseError:
            continue  # the table is not there yet: migrate is about to create it
        # Before the migration that encrypts existing rows, a column still holds plain text: only tokens are tried.
        if row is None or not row[0].startswith(FERNET_TOKEN_PREFIX):
            continue
        try:
            decrypt(row[0])
        except UndecryptableText:
            errors.append(Error(
                f"{model._meta.label}.{columns[0]} holds text that none of FIELD_ENCRYPTION_KEYS opens.",
                hint="Put the key the data was written with in FIELD_ENCRYPTION_KEYS (a new key goes first, the old "
                     "ones stay after it until `manage.py rotate_encryption_key` has run).",
                id="careerconv.E001",
            ))
    return errors
