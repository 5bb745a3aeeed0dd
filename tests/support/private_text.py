"""Every kind of private text careerconv holds, each with its own marker, written on one conversation."""

import datetime

from django.utils import timezone

from conversations.models import FEEDBACK_AREA_FIELDS, Notes, Notification, ReminderEmail, Roadblock
from tests.support.factories import ActionItemFactory, NotesFactory, PreparationFactory


def write_every_private_text(conversation):
    """Fill every private text field on (or about) the conversation; return {(model, field): marker}."""
    markers = {}

    def marker(model, field):
        markers[(model, field)] = f"zq{model.lower()}{field.replace('_', '')}marker"
        return markers[(model, field)]

    PreparationFactory(conversation=conversation,
                       aspiration_target=marker("Preparation", "aspiration_target"),
                       **{name: marker("Preparation", name) for name in FEEDBACK_AREA_FIELDS})
    for visibility in Notes.Visibility.values:
        NotesFactory(conversation=conversation, visibility=visibility,
                     **{name: marker(f"Notes{visibility}", name) for name in (*FEEDBACK_AREA_FIELDS, "summary")})
    conversation.employee_reflection = marker("Conversation", "employee_reflection")
    conversation.change_reason = marker("Conversation", "change_reason")
    conversation.save(update_fields=["employee_reflection", "change_reason"])
    ActionItemFactory(conversation=conversation, text=marker("ActionItem", "text"))
    roadblock = Roadblock.objects.create(employee=conversation.employee, text=marker("Roadblock", "text"))
    roadblock.raised_in.add(conversation)
    Notification.objects.create(recipient=conversation.employee, title=marker("Notification", "title"),
                                body=marker("Notification", "body"))
    ReminderEmail.objects.create(recipient=conversation.employee, subject_line=marker("ReminderEmail", "subject_line"),
                                 next_attempt_at=timezone.now() + datetime.timedelta(hours=1))
    return markers
