from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"

    def ready(self):
        from . import permissions  # noqa: F401 — registers the rules
        from . import notes_tasks  # noqa: F401 — registers the notes-lock task (not named tasks.py)
