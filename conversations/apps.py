from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"

    def ready(self):
        # Registers the rules, and the notes-lock task (its module is not named tasks.py, so Celery would not find it).
        from . import notes_tasks, permissions  # noqa: F401
