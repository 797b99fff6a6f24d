from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from conference.signals import conference_capacity_raised
        from registrations import services

        def fill_new_places(sender, conference, **kwargs):
            services.waitlist_promote(conference=conference)

        conference_capacity_raised.connect(
            fill_new_places, weak=False, dispatch_uid="registrations.fill_new_places"
        )
