from django.urls import path

from conference import views

app_name = "conference"

urlpatterns = [
    path("", views.ConferenceListView.as_view(), name="list"),
    path("<slug:slug>/", views.ConferenceDetailView.as_view(), name="detail"),
    path("<slug:slug>/programme/", views.ProgrammeView.as_view(), name="programme"),
    path("<slug:slug>/calendar.ics", views.conference_calendar, name="calendar"),
]
