from django.urls import path

from conference import calendar_views, views

app_name = "conference"

urlpatterns = [
    path("", views.ConferenceListView.as_view(), name="list"),
    path("<slug:slug>/", views.ConferenceDetailView.as_view(), name="detail"),
    path("<slug:slug>/programme/", views.ProgrammeView.as_view(), name="programme"),
    path("<slug:slug>/sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session"),
    path("<slug:slug>/speakers/", views.SpeakerListView.as_view(), name="speakers"),
    path("<slug:slug>/calendar.ics", views.conference_calendar, name="calendar"),
]
urlpatterns += [
    path(
        "<slug:slug>/programme.ics",
        calendar_views.programme_calendar,
        name="programme_calendar",
    ),
    path(
        "<slug:slug>/sessions/<int:pk>/calendar.ics",
        calendar_views.session_calendar,
        name="session_calendar",
    ),
]
