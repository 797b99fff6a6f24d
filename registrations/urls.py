from django.urls import path

from registrations import views

app_name = "registrations"

urlpatterns = [
    path("privacy/", views.PrivacyNoticeView.as_view(), name="privacy"),
    path("<slug:slug>/register/", views.RegisterView.as_view(), name="register"),
    path("<slug:slug>/register/thanks/", views.RegisterDoneView.as_view(), name="register_done"),
]
