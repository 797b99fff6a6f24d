"""Addresses outside the language prefix: the verification address printed on visa letters must
open whatever language the embassy's browser speaks."""

from django.urls import path

from registrations.views.travel import visa_letter_verify_view

urlpatterns = [
    path("verify/<str:reference>/", visa_letter_verify_view, name="visa_verify"),
]
