"""/api/v1/: included by config/urls.py outside the language prefixes (the API takes its
language from ?lang= or Accept-Language)."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny

from registrations.api import check_in, public, registrations
from registrations.api.docs import ApiDocsView

app_name = "api"

CONFERENCE = "conferences/<slug:slug>/"
REGISTRATION = CONFERENCE + "registrations/<slug:reference>/"

urlpatterns = [
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="openapi",
    ),
    path("docs/", ApiDocsView.as_view(), name="docs"),
    # Public, read-only.
    path("conferences/", public.ConferenceListView.as_view(), name="conferences"),
    path(CONFERENCE, public.ConferenceDetailView.as_view(), name="conference"),
    path(CONFERENCE + "sessions/", public.SessionListView.as_view(), name="sessions"),
    path(CONFERENCE + "speakers/", public.SpeakerListView.as_view(), name="speakers"),
    path(CONFERENCE + "authorities/", public.AuthorityListView.as_view(), name="authorities"),
    # With a token.
    path(
        CONFERENCE + "registrations/",
        registrations.RegistrationListView.as_view(),
        name="registrations",
    ),
    path(REGISTRATION, registrations.RegistrationDetailView.as_view(), name="registration"),
    path(
        REGISTRATION + "cancel/",
        registrations.RegistrationCancelView.as_view(),
        name="registration_cancel",
    ),
    path(REGISTRATION + "bookings/", registrations.BookingListView.as_view(), name="bookings"),
    path(
        REGISTRATION + "bookings/<int:session>/",
        registrations.BookingDetailView.as_view(),
        name="booking",
    ),
    path(CONFERENCE + "check-ins/", check_in.CheckInView.as_view(), name="check_in"),
    path(CONFERENCE + "check-ins/undo/", check_in.CheckInUndoView.as_view(), name="check_in_undo"),
]
