"""Who: people, departments, reporting lines, roles, the people import, invitations, sign-in and SSO.

`people` knows nothing of conversations and never imports them. What must happen elsewhere when something happens
to people (someone leaves, a manager changes) is announced through `people.signals`, and the rules about people
(`people.permissions`) are the base of the one permission layer that `conversations.permissions` builds on.
"""
