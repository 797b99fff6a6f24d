from django.http import HttpResponse
from django.urls import path

from bench.bare import views

urlpatterns = [
    path("form/", views.sign_up, name="sign_up"),
    path("done/", lambda request: HttpResponse("Done"), name="done"),
    path("page/", views.page, name="page"),
]
