"""The SCIM 2.0 endpoints under /scim/v2/. Not session views: an identity provider calls them with a bearer token,
so they are exempt from the sign-in middleware and from CSRF (a token in a header is not sent by a browser on its
own, which is what CSRF guards against). Every call is authenticated, rate-limited and recorded by token."""

import functools
import json
import logging

import pydantic
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from scim2_models import (
    Context,
    Error,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    ResponseParameters,
    SCIMException,
)

from people.models import Organisation
from people.scim import discovery, groups, tokens, users

CONTENT_TYPE = "application/scim+json"
logger = logging.getLogger(__name__)


def _json(data, status=200, headers=None):
    return HttpResponse(json.dumps(data, default=str), status=status, content_type=CONTENT_TYPE, headers=headers)


def _error(status, detail, scim_type=None):
    return _json(Error(status=status, detail=detail, scim_type=scim_type).model_dump(), status=status)


def scim_view(resource_type):
    """Authenticate by bearer token, limit the rate, turn SCIM errors into their JSON form, record the call."""

    def decorator(view):
        @login_not_required
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            now = timezone.now()
            token = tokens.authenticate(request.headers.get("Authorization"))
            if token is None:
                # Recorded in the log only: a refused caller is nobody the database should keep rows for.
                logger.info("SCIM call refused: no valid token", extra={"method": request.method})
                response = _error(401, "A valid bearer token is required.")
                response["WWW-Authenticate"] = 'Bearer realm="scim"'
                return response
            if tokens.over_rate_limit(token=token, now=now):
                response = _error(429, "Too many calls: wait a minute.")
                response["Retry-After"] = "60"
                return response
            request.scim_subject = kwargs.get("pk", "")
            try:
                body = json.loads(request.body or b"{}") if request.method in ("POST", "PUT", "PATCH") else None
                response = view(request, *args, body=body, now=now, **kwargs)
            except SCIMException as error:
                response = _json(error.to_error().model_dump(), status=error.status)
            except pydantic.ValidationError as error:
                response = _json(Error.from_validation_error(error.errors()[0]).model_dump(), status=400)
            except (json.JSONDecodeError, UnicodeDecodeError):
                response = _error(400, "The body is not JSON.", "invalidSyntax")
            tokens.record_call(token=token, now=now, method=request.method, resource_type=resource_type,
                               resource_id=request.scim_subject, status=response.status_code)
            logger.info("SCIM call", extra={"token": token.pk, "method": request.method,
                                             "resource_type": resource_type, "resource_id": request.scim_subject,
                                             "status": response.status_code})
            return response

        return wrapped

    return decorator


def _allowed(request, *methods):
    if request.method not in methods:
        return _error(405, f"{request.method} is not allowed here.")
    return None


def _response_parameters(request):
    return ResponseParameters.model_validate({
        "attributes": request.GET.get("attributes") or None,
        "excludedAttributes": request.GET.get("excludedAttributes") or None,
    })


def _location(request, name, *args):
    return request.build_absolute_uri(reverse(name, args=args))


def _page(request):
    try:
        start = max(int(request.GET.get("startIndex", 1)), 1)
        count = min(max(int(request.GET.get("count", 100)), 0), discovery.MAX_RESULTS)
    except ValueError:
        start, count = 1, 100
    return start, count


def _list(request, resources, total, start, context=Context.SEARCH_RESPONSE):
    listed = ListResponse[type(resources[0]) if resources else object](
        total_results=total, start_index=start, items_per_page=len(resources), resources=resources or None,
    ) if resources else None
    if listed is None:
        return _json({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": total,
                      "startIndex": start, "itemsPerPage": 0, "Resources": []})
    return _json(listed.model_dump(scim_ctx=context, response_parameters=_response_parameters(request)))


@scim_view("ServiceProviderConfig")
def service_provider_config(request, *, body, now):
    return _allowed(request, "GET") or _json(discovery.service_provider_config(
        location=_location(request, "scim:service_provider_config")).model_dump())


@scim_view("ResourceType")
def resource_types(request, *, body, now, pk=None):
    found = discovery.resource_types(location_of=lambda name: _location(request, "scim:resource_type", name))
    if pk is not None:
        match = next((item for item in found if item.id == pk), None)
        if match is None:
            raise NotFoundException(detail=f"No resource type {pk}.")
        return _allowed(request, "GET") or _json(match.model_dump())
    return _allowed(request, "GET") or _list(request, found, len(found), 1)


@scim_view("Schema")
def schemas(request, *, body, now, pk=None):
    found = discovery.schemas(location_of=lambda urn: _location(request, "scim:schema", urn))
    if pk is not None:
        match = next((item for item in found if item.id == pk), None)
        if match is None:
            raise NotFoundException(detail=f"No schema {pk}.")
        return _allowed(request, "GET") or _json(match.model_dump())
    return _allowed(request, "GET") or _list(request, found, len(found), 1)


@scim_view("Search")
def search_everything(request, *, body, now):
    raise NotImplementedException(detail="Search one resource type at a time: /Users or /Groups.")


@scim_view("Unknown")
def not_found(request, *, body, now):
    raise NotFoundException(detail=f"Nothing is served at {request.path}.")


def _user_json(request, person, context, status=200):
    resource = users.to_resource(person, location=_location(request, "scim:user", person.pk))
    return _json(resource.model_dump(scim_ctx=context, response_parameters=_response_parameters(request)),
                 status=status, headers={"Location": resource.meta.location})


@scim_view("User")
def users_collection(request, *, body, now):
    if request.method == "GET":
        start, count = _page(request)
        queryset = users.search(filter_text=request.GET.get("filter"))
        total = queryset.count()
        page = list(queryset[start - 1:start - 1 + count]) if count else []
        resources = [users.to_resource(person, location=_location(request, "scim:user", person.pk))
                     for person in page]
        return _list(request, resources, total, start)
    if request.method == "POST":
        resource = users.parse_user(body)
        person = users.create_person(resource=resource, now=now,
                                     cadence_days=Organisation.current().default_cadence_days)
        request.scim_subject = person.pk
        return _user_json(request, users.get_person(person.pk), Context.RESOURCE_CREATION_RESPONSE, status=201)
    return _error(405, f"{request.method} is not allowed here.")


@scim_view("User")
def user_detail(request, *, body, now, pk):
    person = users.get_person(pk)
    if request.method == "GET":
        return _user_json(request, person, Context.RESOURCE_QUERY_RESPONSE)
    if request.method == "PUT":
        users.replace_person(person=person, resource=users.parse_user(body), now=now)
        return _user_json(request, users.get_person(pk), Context.RESOURCE_REPLACEMENT_RESPONSE)
    if request.method == "PATCH":
        users.patch_person(person=person, payload=body, now=now)
        return _user_json(request, users.get_person(pk), Context.RESOURCE_PATCH_RESPONSE)
    if request.method == "DELETE":
        users.delete_person(person=person, now=now)
        return HttpResponse(status=204)
    return _error(405, f"{request.method} is not allowed here.")


def _group_json(request, group, context, status=200):
    resource = groups.to_resource(group, location_of=lambda g: _location(request, "scim:group", g.pk))
    return _json(resource.model_dump(scim_ctx=context, response_parameters=_response_parameters(request)),
                 status=status)


@scim_view("Group")
def groups_collection(request, *, body, now):
    if request.method == "GET":
        display_name = _display_name_filter(request.GET.get("filter"))
        found = [groups.to_resource(group, location_of=lambda g: _location(request, "scim:group", g.pk))
                 for group in groups.groups(display_name=display_name)]
        return _list(request, found, len(found), 1)
    if request.method == "POST":
        groups.create_group(resource=groups.parse_group(body))
    return _error(405, f"{request.method} is not allowed here.")


def _display_name_filter(text):
    """Providers look a group up by `displayName eq "…"` before they push it; no other filter means anything."""
    if not text:
        return None
    attribute, _, value = text.strip().partition(" eq ")
    if attribute.strip().lower() != "displayname":
        return None
    return value.strip().strip('"')


@scim_view("Group")
def group_detail(request, *, body, now, pk):
    group = groups.get_group(pk)
    if request.method == "GET":
        return _group_json(request, group, Context.RESOURCE_QUERY_RESPONSE)
    if request.method == "PUT":
        groups.replace_group(group=group, resource=groups.parse_group(body))
        return _group_json(request, group, Context.RESOURCE_REPLACEMENT_RESPONSE)
    if request.method == "PATCH":
        groups.patch_group(group=group, payload=body,
                           location_of=lambda g: _location(request, "scim:group", g.pk))
        return _group_json(request, group, Context.RESOURCE_PATCH_RESPONSE)
    if request.method == "DELETE":
        return _error(400, "The HR group cannot be deleted: remove its members instead.", "mutability")
    return _error(405, f"{request.method} is not allowed here.")
