"""Addresses outside the language prefix: calendar apps keep a feed's address for as long as they
subscribe, whatever the language."""

from django.urls import path

from registrations.views.calendar import agenda_calendar

urlpatterns = [
    path("agenda/<str:token>.ics", agenda_calendar, name="agenda_calendar"),
]
