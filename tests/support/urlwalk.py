"""Every URL the project answers, resolved from the URLconf, with sample values for its parameters: a new URL
is covered by the tests that walk it without editing them."""

import re
import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

SAMPLES = {"int": "1", "str": "sample", "slug": "sample", "uuid": str(uuid.UUID(int=1)), "path": "sample"}


@dataclass(frozen=True)
class Route:
    name: str | None
    path: str
    # The pattern as written in the URLconf, and the names of its parameters, for tests that fill in real values.
    pattern: str = ""
    params: tuple = ()


def _sample_route(route):
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "sample"), route)


def _sample_regex(regex):
    def group(match):
        body = match.group(1)
        if "|" in body and re.fullmatch(r"[\w|]+", body):
            return body.split("|")[0]
        return "1" if r"\d" in body else "sample"

    sampled = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", group, regex)
    return sampled.lstrip("^").rstrip("$").replace("\\", "")


def _sample(pattern):
    if isinstance(pattern, RoutePattern):
        return _sample_route(str(pattern))
    if isinstance(pattern, RegexPattern):
        return _sample_regex(pattern.regex.pattern)
    raise TypeError(pattern)


def _params(pattern):
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    return tuple(pattern.regex.groupindex)


def all_routes(patterns=None, prefix="/", namespace=None, raw_prefix="/", params=()):
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        here = prefix + _sample(entry.pattern)
        raw = raw_prefix + str(entry.pattern).lstrip("^").rstrip("$")
        names = params + _params(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            routes += all_routes(entry.url_patterns, here, inner, raw, names)
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name])) if entry.name else None
            routes.append(Route(name, here, raw, names))
    return routes
