"""Template tags for a conversation's follow-through: the panel on the conversation page, and small filters."""

from django import template
from django.utils.text import capfirst

from conversations.followup.actions import owner_label
from conversations.followup.notes import NOTE_FIELDS
from conversations.forms.followup import MarkHeldForm, ReflectionForm
from conversations.models import FEEDBACK_AREA_FIELDS, Topic

register = template.Library()


@register.inclusion_tag("conversations/_followup.html", takes_context=True)
def conversation_followup(context, followup):
    """What the viewer may see and do after (or before) a conversation, from the view's `followup` (None for
    anyone who does not take part)."""
    if followup is None:
        return {"followup": None}
    request = context["request"]
    return {
        "followup": followup,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "held_form": MarkHeldForm(),
        "reflection_form": ReflectionForm(instance=followup.conversation) if followup.can_reflect else None,
        "next_url": request.get_full_path(),
    }


@register.filter
def action_owner(action):
    return owner_label(action)


@register.filter
def update_asked_by(action, person):
    """The person's open request for an update on the action (see followup.actions.with_update_requests)."""
    return next((request for request in getattr(action, "open_update_requests", ())
                 if person is not None and request.asked_by_id == person.pk), None)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, [])


@register.filter
def text_widget(field):
    """A textarea or input with Bootstrap's classes, marked invalid when it has errors, and described by its
    character count and error message."""
    classes = "form-control is-invalid" if field.errors else "form-control"
    described = [f"{field.auto_id}-count", f"{field.auto_id}-error"]
    if field.help_text:
        described.insert(0, f"{field.auto_id}_helptext")
    return field.as_widget(attrs={"class": classes, "aria-describedby": " ".join(described)})


@register.filter
def preparation_rows(preparation):
    """(label, text) for each part of a preparation that was filled in, in the form's order."""
    rows = []
    for name in FEEDBACK_AREA_FIELDS:
        value = getattr(preparation, name)
        if value.strip():
            rows.append((preparation._meta.get_field(name).verbose_name, value))
    return rows


@register.filter
def topic_labels(values):
    labels = dict(Topic.choices)
    return [labels[value] for value in values or [] if value in labels]


@register.filter
def notes_rows(notes):
    """(label, text) for each part of a set of notes that was filled in."""
    return [(capfirst(notes._meta.get_field(name).verbose_name), getattr(notes, name))
            for name in NOTE_FIELDS if getattr(notes, name).strip()]
