from django.urls import path

from registrations import desk_views, document_views, views

app_name = "registrations"

urlpatterns = [
    path("privacy/", views.PrivacyNoticeView.as_view(), name="privacy"),
    path("manage/", views.ManageView.as_view(), name="manage"),
    path("manage/enter/<str:token>/", views.manage_enter, name="manage_enter"),
    path("manage/details/", views.DetailsEditView.as_view(), name="manage_details"),
    path("manage/sessions/", views.SessionsEditView.as_view(), name="manage_sessions"),
    path("manage/cancel/", views.CancelView.as_view(), name="manage_cancel"),
    path("manage/my-data.json", views.PersonalDataView.as_view(), name="manage_data"),
    path("manage/erase/", views.EraseView.as_view(), name="manage_erase"),
    path("manage/leave/", views.LeaveView.as_view(), name="manage_leave"),
    path("manage/delegation/", views.DelegationManageView.as_view(), name="manage_delegation"),
    path(
        "manage/delegation/<str:reference>/substitute/",
        views.DelegationSubstituteView.as_view(),
        name="delegation_substitute",
    ),
    path(
        "manage/delegation/<str:reference>/cancel/",
        views.DelegationCancelMemberView.as_view(),
        name="delegation_cancel_member",
    ),
    path("<slug:slug>/register/", views.RegisterView.as_view(), name="register"),
    path("<slug:slug>/register/thanks/", views.RegisterDoneView.as_view(), name="register_done"),
    path("<slug:slug>/lost-link/", views.LostLinkView.as_view(), name="lost_link"),
    path(
        "<slug:slug>/register/delegation/",
        views.DelegationRegisterView.as_view(),
        name="delegation_register",
    ),
    path(
        "<slug:slug>/register/delegation/thanks/",
        views.DelegationDoneView.as_view(),
        name="delegation_done",
    ),
    path(
        "<slug:slug>/authorities/<int:pk>/places.json",
        views.authority_places,
        name="authority_places",
    ),
]

# The registration desk and session doors (staff with the check-in permission).
urlpatterns += [
    path("desk/<slug:slug>/", desk_views.DeskView.as_view(), name="desk"),
    path("desk/<slug:slug>/scan/", desk_views.DeskScanView.as_view(), name="desk_scan"),
    path(
        "desk/<slug:slug>/sessions/<int:pk>/",
        desk_views.DeskView.as_view(),
        name="desk_session",
    ),
]

# The delegate's badge and certificate of attendance (PDF), through their personal link.
urlpatterns += [
    path("manage/badge.pdf", document_views.BadgeDownloadView.as_view(), name="manage_badge"),
    path(
        "manage/certificate.pdf",
        document_views.CertificateDownloadView.as_view(),
        name="manage_certificate",
    ),
]
