from django.apps import AppConfig


class CareerconvConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "careerconv"
    verbose_name = "Operations"
