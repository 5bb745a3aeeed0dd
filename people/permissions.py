"""Who may see and do what about people, written once as django-rules predicates, and the one way to ask.

conversations/permissions.py adds the rules about conversations on top of these predicates. Object predicates
answer False when asked without an object (the admin asks for model-level permissions that way), leaving the
answer to Django's ModelBackend. An object a user may not see answers 404, never 403: its existence is private too.

The guard, below the rules, is the one way views ask: `@requires(perm)` for a rule about the user alone,
`require(user, perm, obj)` for a rule about an object, and lookups (`person_for` here, `conversation_for` and the
like in conversations/permissions.py) that fetch an object and check its rule in one call. They raise `NotVisible`,
which people.middleware turns into the ordinary 404 page, so domain code can refuse without knowing about HTTP.
"""

from functools import wraps

import rules

from people import roles
from people.models import Person


def _person(user):
    return roles.person_of(user)


@rules.predicate
def is_hr(user):
    return roles.is_hr(user)


@rules.predicate
def has_person(user):
    return _person(user) is not None


@rules.predicate
def is_partner(user):
    return roles.is_partner(_person(user))


@rules.predicate
def is_a_manager(user):
    return roles.is_manager(_person(user))


@rules.predicate
def is_manager_of(user, person):
    me = _person(user)
    return me is not None and person is not None and person.manager_id == me.pk


@rules.predicate
def is_self(user, person):
    me = _person(user)
    return me is not None and person is not None and me.pk == person.pk


@rules.predicate
def is_active_person(user, person):
    return person is not None and person.is_active


rules.add_perm("people.has_person", has_person)  # pages about one's own records: an account without a person has none
rules.add_perm("people.view_directory", has_person | is_hr)
# Someone who has left is gone from the directory; only HR still opens their profile.
rules.add_perm("people.view_profile", is_self | is_hr | (has_person & is_active_person))
rules.add_perm("people.edit_profile", is_self)
rules.add_perm("people.see_account", is_hr)  # e-mail, employee id, sign-in and invitation status
rules.add_perm("people.import_people", is_hr)
rules.add_perm("people.invite_people", is_hr)
# Provisioning tokens decide who works here: HR, or the IT administrator who connects the identity provider.
rules.add_perm("people.manage_provisioning", is_hr | rules.is_superuser)


def can(user, perm, obj=None):
    """A rule exactly as written above. `user.has_perm` would let a superuser through every rule: in the app an
    IT administrator is nobody's conversation partner, and what they open on the admin site is audited instead."""
    return rules.has_perm(perm, user, obj)


class NotVisible(Exception):
    """What a user may not see, or what does not exist for them: the two are not told apart, and answer 404."""


def require(user, perm, obj=None):
    """`obj` when the rule allows it, else NotVisible: what a user may not see does not exist for them."""
    if not can(user, perm, obj):
        raise NotVisible
    return obj


def requires(permission):
    """Let a view through only for users with `permission` (a rule about the user alone). Others get 404:
    a page someone may not use is not advertised to them either."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, permission)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_allowed(user, perm, queryset, **lookup):
    """The object `lookup` finds in `queryset` when the rule allows `user` on it; NotVisible when it does not, and
    likewise when there is no such object."""
    try:
        obj = queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise NotVisible from None
    return require(user, perm, obj)


def person_for(user, pk, perm):
    """The person `pk` when the rule allows `user` on them: a profile, a report, a leaver to erase."""
    return get_allowed(user, perm, Person.objects.select_related("user", "department", "manager__user"), pk=pk)
