from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        # Imported here, as Django asks: services need the models, loaded only by now.
        from conference import signals  # noqa: PLC0415
        from registrations.places.bookings import (  # noqa: PLC0415
            session_moved_notify,
            sessions_rebalance,
        )
        from registrations.places.status import waitlist_promote  # noqa: PLC0415

        def fill_conference(sender, conference, **kwargs):
            waitlist_promote(conference=conference)

        def fill_session(sender, session, **kwargs):
            sessions_rebalance(session_ids=[session.pk])

        def tell_session_moved(sender, session, **kwargs):
            session_moved_notify(session=session)

        for signal, receiver in [
            (signals.conference_capacity_raised, fill_conference),
            (signals.session_capacity_changed, fill_session),
            (signals.session_moved, tell_session_moved),
        ]:
            signal.connect(receiver, weak=False, dispatch_uid=f"registrations.{receiver.__name__}")


class ConferenceAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the site that adds the organisers' dashboard (admin_site.py); named
    in INSTALLED_APPS in place of django.contrib.admin."""

    default = False

    default_site = "registrations.admin_site.ConferenceAdminSite"
