"""SCIM 2.0 provisioning (RFC 7643, RFC 7644): identity providers create, change and retire people here.

The protocol's data model (resources, PATCH, errors, attribute selection) is scim2-models; filters are parsed by
scim2-filter-parser into Django Q objects. What a SCIM change does to a person is decided in users.py with the
same rules as the people import: matching by external id, then employee id, then e-mail; managers without loops;
leavers marked, never deleted, announced through `people_left`.
"""
