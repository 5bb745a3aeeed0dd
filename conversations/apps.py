from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"

    def ready(self):
        # Registers the rules with django-rules, and calls off the coming conversations of people who leave.
        from conversations import booking, permissions  # noqa: F401
        from people.signals import people_left

        people_left.connect(booking.cancel_for_leavers_on_signal, dispatch_uid="conversations.cancel_for_leavers")
