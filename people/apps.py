from django.apps import AppConfig


class PeopleConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "people"

    def ready(self):
        # Registers the rules about people with django-rules.
        from people import permissions  # noqa: F401
