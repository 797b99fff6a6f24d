from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from conference import signals
        from registrations import services

        def fill_conference(sender, conference, **kwargs):
            services.waitlist_promote(conference=conference)

        def fill_session(sender, session, **kwargs):
            services.sessions_rebalance(session_ids=[session.pk])

        def tell_session_moved(sender, session, **kwargs):
            services.session_moved_notify(session=session)

        for signal, receiver in [
            (signals.conference_capacity_raised, fill_conference),
            (signals.session_capacity_changed, fill_session),
            (signals.session_moved, tell_session_moved),
        ]:
            signal.connect(receiver, weak=False, dispatch_uid=f"registrations.{receiver.__name__}")
