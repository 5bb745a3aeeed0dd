"""What a conversation page shows after the preparation: shared notes and actions, read only.

A tag rather than view context, so that the template that shows them needs nothing but the conversation.
"""

from django import template

from conversations.models import Notes
from conversations.permissions import visible_notes

register = template.Library()


@register.simple_tag(takes_context=True)
def shared_notes_for(context, conversation):
    """The shared notes on this conversation that the viewer may read."""
    return list(visible_notes(context["request"].user).filter(conversation=conversation,
                                                                visibility=Notes.Visibility.SHARED)
                .select_related("author__user").order_by("created_at"))


@register.simple_tag
def actions_of(conversation):
    return list(conversation.actions.select_related("owner__user"))
