"""Sign-in details that Django and django-axes leave open."""

from django.contrib.auth import get_user_model


def axes_username(request, credentials=None):
    """The name a sign-in attempt is recorded under, cut to the longest a user can have.

    Django's sign-in form does not enforce the username's length, and axes would store whatever was typed in a
    255-character column: a longer name (nobody's) would fail the insert and the request with it.
    """
    source = credentials or getattr(request, "POST", {})
    username = source.get("username")
    if not isinstance(username, str):
        return username
    return username[: get_user_model()._meta.get_field("username").max_length]


def not_a_password_attempt(request, credentials=None):
    """True for sign-ins that carry no username, which axes then neither counts nor locks.

    Only a password can be guessed. A single sign-on callback carries the provider's answer (and an authorization
    code, which must not be stored); refusing it is the provider's and the callback's business.
    """
    return not (credentials or {}).get("username")
