from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferenceConfig(AppConfig):
    name = "conference"
    verbose_name = _("Conference and programme")

    def ready(self) -> None:
        # Models are importable only once the apps are loaded.
        from conference.page_cache import page_cache_connect  # noqa: PLC0415

        page_cache_connect()
