"""The prompt that points an employee with a new manager to the handover page."""

from django import template

from conversations.handover import pending_handover
from people import roles

register = template.Library()


@register.inclusion_tag("conversations/_handover_prompt.html", takes_context=True)
def handover_prompt(context):
    person = roles.person_of(context["request"].user)
    return {"handover": pending_handover(person) if person is not None else None}
