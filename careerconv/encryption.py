"""Encryption at rest of what people write: a database dump, a replica or a backup holds only Fernet tokens.

FIELD_ENCRYPTION_KEYS is a list of Fernet keys: the first encrypts, all of them decrypt, so that a new key can be
put first and the old rows re-encrypted (`manage.py rotate_encryption_key`) while the app keeps reading them.

An encrypted column cannot be searched, compared or sorted in SQL: every lookup but `isnull` is refused, so that a
filter on one fails loudly instead of silently matching nothing (or, in the admin, letting someone guess a text
character by character).
"""

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction

HOW_TO_GENERATE = ('generate one with: python -c "from cryptography.fernet import Fernet; '
                   'print(Fernet.generate_key().decode())"')


class UndecryptableText(Exception):
    """A stored text that none of the keys opens: a key is missing from FIELD_ENCRYPTION_KEYS."""


def parse_keys(value):
    """The keys of a comma-separated FIELD_ENCRYPTION_KEYS, each checked to be a Fernet key."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe base64-encoded bytes); "
                f"{HOW_TO_GENERATE}") from None
    return keys


@functools.lru_cache(maxsize=4)
def _fernets(keys):
    return MultiFernet([Fernet(key) for key in keys]), Fernet(keys[0])


def _keys():
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS is empty; {HOW_TO_GENERATE}")
    return keys


def encrypt(text):
    return _fernets(_keys())[0].encrypt(text.encode()).decode()


def decrypt(token):
    try:
        return _fernets(_keys())[0].decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableText("A stored text cannot be decrypted with any key of FIELD_ENCRYPTION_KEYS.") from None


def is_encrypted_with_first_key(token):
    try:
        _fernets(_keys())[1].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt(token):
    """The token's text encrypted with the first key."""
    try:
        return _fernets(_keys())[0].rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableText("A stored text cannot be decrypted with any key of FIELD_ENCRYPTION_KEYS.") from None


class EncryptedMixin:
    """Stores the text as a Fernet token in a `text` column; max_length still limits the plaintext."""

    def db_type(self, connection):
        return "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        return None if value is None else encrypt(value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A one-line text (a form's text input, a length limit), stored encrypted."""


def encrypted_columns(model):
    """The columns of a model's encrypted fields."""
    return [field.column for field in model._meta.concrete_fields if isinstance(field, EncryptedMixin)]


def rewrite_rows(connection, model, rewrite, *, batch_size=500):
    """Pass every stored value of a model's encrypted columns through `rewrite` (None leaves it as it is), in
    batches of rows in primary-key order, each batch in its own transaction; return how many values changed.

    Each value is written back only if it is still the one read: a row saved by the app in between was encrypted
    with the first key then, and is left alone, so this can run while the app serves. Values already rewritten
    are skipped by `rewrite`, so an interrupted run is resumed by running it again.
    """
    columns = encrypted_columns(model)
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    select = (f"SELECT {pk}, {', '.join(quote(column) for column in columns)} FROM {table} "
              f"WHERE {pk} > %s ORDER BY {pk} LIMIT %s")
    update = f"UPDATE {table} SET {{column}} = %s WHERE {pk} = %s AND {{column}} = %s"
    changed, last = 0, None
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if last is None:
                cursor.execute(select.replace(f"WHERE {pk} > %s ", ""), [batch_size])
            else:
                cursor.execute(select, [last, batch_size])
            rows = cursor.fetchall()
            for row_pk, *values in rows:
                for column, value in zip(columns, values):
                    new = None if value is None else rewrite(value)
                    if new is not None and new != value:
                        cursor.execute(update.format(column=quote(column)), [new, row_pk, value])
                        changed += cursor.rowcount
        if len(rows) < batch_size:
            return changed
        last = rows[-1][0]


def encrypt_plaintext(value):
    """For the migration that encrypts existing rows: a value that is already a token is left as it is."""
    try:
        decrypt(value)
    except UndecryptableText:
        return encrypt(value)
    return None


def reencrypt_if_old(value):
    return None if is_encrypted_with_first_key(value) else reencrypt(value)


def rotate_all(*, batch_size=500):
    """Re-encrypt with the first key every value of every encrypted column; {model label: values re-encrypted}."""
    return {model._meta.label: rewrite_rows(connection, model, reencrypt_if_old, batch_size=batch_size)
            for model in apps.get_models() if encrypted_columns(model)}
