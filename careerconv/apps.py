from django.apps import AppConfig


class CareerconvConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "careerconv"
    verbose_name = "Operations"

    def ready(self):
        # Registers the database checks that migrate and `check --database` run.
        from careerconv import checks  # noqa: F401
