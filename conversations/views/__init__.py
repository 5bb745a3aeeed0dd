"""The edges of conversations: one module per capability. A view is guarded once (`@requires` or a lookup from
`conversations.permissions`), validates a form, calls one domain function, and renders or redirects."""
