from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"

    def ready(self):
        # Registers the rules with django-rules, calls off the coming conversations of people who leave, and opens
        # the handover to a new manager.
        from conversations import booking, handover, permissions  # noqa: F401
        from people.signals import manager_changed, people_left

        people_left.connect(booking.cancel_for_leavers_on_signal, dispatch_uid="conversations.cancel_for_leavers")
        manager_changed.connect(handover.open_handovers_on_signal, dispatch_uid="conversations.open_handovers")
