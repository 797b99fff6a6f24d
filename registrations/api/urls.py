"""/api/v1/: included by config/urls.py outside the language prefixes (the API takes its
language from ?lang= or Accept-Language)."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny

from registrations.api import public
from registrations.api.docs import ApiDocsView

app_name = "api"

urlpatterns = [
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="openapi",
    ),
    path("docs/", ApiDocsView.as_view(), name="docs"),
    path("conferences/", public.ConferenceListView.as_view(), name="conferences"),
    path("conferences/<slug:slug>/", public.ConferenceDetailView.as_view(), name="conference"),
    path("conferences/<slug:slug>/sessions/", public.SessionListView.as_view(), name="sessions"),
    path("conferences/<slug:slug>/speakers/", public.SpeakerListView.as_view(), name="speakers"),
    path(
        "conferences/<slug:slug>/authorities/",
        public.AuthorityListView.as_view(),
        name="authorities",
    ),
]
