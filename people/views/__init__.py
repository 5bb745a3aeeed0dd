"""The edges of people: one module per capability (directory and profiles, the people import, invitations, SCIM
provisioning and its tokens)."""
