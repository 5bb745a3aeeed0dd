"""What the service provider says about itself: its configuration, resource types and schemas (RFC 7644 §4)."""

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Meta,
    Mutability,
    Pagination,
    Patch,
    ResourceType,
    ServiceProviderConfig,
    Sort,
    User,
)

MAX_RESULTS = 200


def service_provider_config(*, location):
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        pagination=Pagination(cursor=False, index=True, default_pagination_method="index",
                              default_page_size=100, max_page_size=MAX_RESULTS),
        authentication_schemes=[AuthenticationScheme(
            type="oauthbearertoken", name="Bearer token", primary=True,
            description="A token made by HR on careerconv's provisioning page.",
        )],
        meta=Meta(resource_type="ServiceProviderConfig", location=location),
    )


# What careerconv keeps of each schema: attribute → the sub-attributes kept (None for a simple attribute). Only
# these are published, so that providers and compliance checkers do not write attributes that would be dropped.
# displayName is published read-only: careerconv shows the name made of givenName and familyName. One e-mail is
# kept, the work address: a provider's other addresses and its "primary" flag have nowhere to go.
KEPT = {
    User: {"userName": None, "name": {"givenName", "familyName"}, "displayName": None, "title": None,
           "active": None, "emails": {"value", "type"}},
    EnterpriseUser: {"employeeNumber": None, "department": None, "manager": {"value"}},
    Group: {"displayName": None, "members": {"value", "$ref", "type", "display"}},
}
READ_ONLY = {(User, "displayName")}


def _kept_schema(model):
    schema = model.to_schema()
    kept = KEPT[model]
    attributes = []
    for attribute in schema.attributes:
        if attribute.name not in kept:
            continue
        if kept[attribute.name] is not None:
            attribute.sub_attributes = [sub for sub in attribute.sub_attributes if sub.name in kept[attribute.name]]
        if (model, attribute.name) == (User, "emails"):
            next(sub for sub in attribute.sub_attributes if sub.name == "type").canonical_values = ["work"]
        if (model, attribute.name) in READ_ONLY:
            attribute.mutability = Mutability.read_only
        attributes.append(attribute)
    schema.attributes = attributes
    return schema


def resource_types(*, location_of):
    user = ResourceType.from_resource(User[EnterpriseUser])
    user.endpoint, user.id, user.name = "/Users", "User", "User"
    group = ResourceType.from_resource(Group)
    group.endpoint, group.id, group.name = "/Groups", "Group", "Group"
    for resource_type in (user, group):
        resource_type.meta = Meta(resource_type="ResourceType", location=location_of(resource_type.id))
    return [user, group]


def schemas(*, location_of):
    found = []
    for model in (User, EnterpriseUser, Group):
        schema = _kept_schema(model)
        schema.meta = Meta(resource_type="Schema", location=location_of(schema.id))
        found.append(schema)
    return found
