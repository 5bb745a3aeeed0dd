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
        schema = model.to_schema()
        schema.meta = Meta(resource_type="Schema", location=location_of(schema.id))
        found.append(schema)
    return found
