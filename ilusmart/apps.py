from django.apps import AppConfig


class IlusmartConfig(AppConfig):
    name = "ilusmart"
    verbose_name = "iLusmart"

    def ready(self):
        from ilusmart import checks  # noqa: F401 (registers the deploy checks)
