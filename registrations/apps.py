from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # For the types only: the models cannot be imported before the apps are loaded.
    from conference.models import Conference, Session, SessionChange


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        # Imported here, as Django asks: services need the models, loaded only by now.
        from conference import signals  # noqa: PLC0415
        from registrations.forms.rendering import registration_form_cache_connect  # noqa: PLC0415
        from registrations.network.meetings import meeting_request_emails_forget  # noqa: PLC0415
        from registrations.network_map.cache import network_cache_connect  # noqa: PLC0415
        from registrations.places.bookings import (  # noqa: PLC0415
            session_moved_notify,
            session_places_taken,
            sessions_rebalance,
        )
        from registrations.places.status import waitlist_promote  # noqa: PLC0415
        from registrations.questions.answers import answer_file_forget  # noqa: PLC0415
        from registrations.questions.builtin import (  # noqa: PLC0415
            builtin_questions_on_conference_save,
        )

        # Every new conference gets the built-in questions (days, meals, diet, travel).
        post_save.connect(
            builtin_questions_on_conference_save,
            sender="conference.Conference",
            weak=False,
            dispatch_uid="registrations.builtin_questions_on_conference_save",
        )
        # A file answer's file goes with its row, however the row goes.
        post_delete.connect(
            answer_file_forget,
            sender="registrations.Answer",
            weak=False,
            dispatch_uid="registrations.answer_file_forget",
        )
        # The organisers' emails about a reported request go before the request, however it goes.
        pre_delete.connect(
            meeting_request_emails_forget,
            sender="registrations.MeetingRequest",
            weak=False,
            dispatch_uid="registrations.meeting_request_emails_forget",
        )

        network_cache_connect()
        registration_form_cache_connect()

        def fill_conference(sender: Any, conference: "Conference", **kwargs: Any) -> None:
            waitlist_promote(conference=conference)

        def fill_session(sender: Any, session: "Session", **kwargs: Any) -> None:
            sessions_rebalance(session_ids=[session.pk])

        def tell_session_moved(
            sender: Any, session: "Session", change: "SessionChange", **kwargs: Any
        ) -> None:
            session_moved_notify(session=session, change=change)

        def count_places_taken(sender: Any, session: "Session", **kwargs: Any) -> int:
            return session_places_taken(session)

        receivers: list[tuple[Signal, Callable[..., object]]] = [
            (signals.conference_capacity_raised, fill_conference),
            (signals.session_capacity_changed, fill_session),
            (signals.session_moved, tell_session_moved),
            (signals.session_places_taken, count_places_taken),
        ]
        for signal, receiver in receivers:
            signal.connect(receiver, weak=False, dispatch_uid=f"registrations.{receiver.__name__}")


class ConferenceAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the site that adds the organisers' dashboard (admin_site.py); named
    in INSTALLED_APPS in place of django.contrib.admin."""

    default = False

    default_site = "registrations.admin_site.ConferenceAdminSite"
