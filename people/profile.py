"""A person's own settings: timezone, how often they want a career conversation, which reminders they get and
whether they offer conversations to others. The cadence rule (more often than the organisation, never less)
lives in Person.clean, so every way of saving a person keeps it."""

REMINDER_FIELDS = ["remind_due_soon", "remind_overdue", "remind_upcoming", "remind_notes", "remind_actions",
                   "weekly_digest"]
PROFILE_FIELDS = ["timezone", "cadence_days", "offers_conversations", *REMINDER_FIELDS]


def update_profile(*, person, values):
    """Save what the person changed, and only that: an import running meanwhile keeps its own changes.
    `values` are validated already (ProfileForm runs Person.clean). Returns the names of the changed fields."""
    changed = [name for name in PROFILE_FIELDS if name in values and getattr(person, name) != values[name]]
    for name in changed:
        setattr(person, name, values[name])
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    return changed
