from functools import wraps

from django.http import Http404


def requires(permission):
    """Let a view through only for users with `permission` (a django-rules perm, no object). Others get 404:
    a page someone may not use is not advertised to them either."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise Http404("Not found.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
