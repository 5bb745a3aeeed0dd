"""Reminders that keep career conversations regular.

- `clock`: each timezone's local day, sending window and digest hour at a given instant.
- `selection`: what is due at `now`, decided from the database alone, one set-based query per kind.
- `sweep`: records what is due (a row per reminder under a unique constraint) and hands it to the sender.
- `content`: what each reminder says, for the e-mail and the in-app notification.
Sending itself (bundling, claiming, retries) is in `conversations.reminders.sending`.
"""
