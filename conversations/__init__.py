"""What: availability, booking, calendars, preparation, notes, actions, reminders and participation figures.

Domain modules are named for what they do (`booking`, `availability`, `calendar`, `preparation`, `permissions`…) and
hold the rules, including their side effects: the function that changes a thing notifies (`notifications.notify`)
and audits (`audit`). The edges (`views/`, `forms/`, `tasks.py`, management commands) are a few lines around them.
Capabilities with several steps are subpackages: `followup/`, `reminders/`, `participation/`. It uses `people`;
`people` never uses it.
"""
