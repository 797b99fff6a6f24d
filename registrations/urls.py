from django.urls import path

from registrations.views import (
    delegations,
    desk,
    documents,
    network,
    network_map,
    privacy,
    questions,
    registration,
    self_service,
    travel,
)

app_name = "registrations"

urlpatterns = [
    path("privacy/", privacy.PrivacyNoticeView.as_view(), name="privacy"),
    path("manage/", self_service.ManageView.as_view(), name="manage"),
    path("manage/enter/<str:token>/", self_service.manage_enter, name="manage_enter"),
    path("manage/details/", self_service.DetailsEditView.as_view(), name="manage_details"),
    path("manage/sessions/", self_service.SessionsEditView.as_view(), name="manage_sessions"),
    path("manage/answers/", questions.AnswersEditView.as_view(), name="manage_answers"),
    path(
        "manage/answers/<int:pk>/file/",
        questions.AnswerFileView.as_view(),
        name="manage_answer_file",
    ),
    path("manage/cancel/", self_service.CancelView.as_view(), name="manage_cancel"),
    path("manage/my-data.json", self_service.PersonalDataView.as_view(), name="manage_data"),
    path("manage/erase/", self_service.EraseView.as_view(), name="manage_erase"),
    path("manage/leave/", self_service.LeaveView.as_view(), name="manage_leave"),
    path(
        "manage/delegation/", delegations.DelegationManageView.as_view(), name="manage_delegation"
    ),
    path(
        "manage/delegation/<str:reference>/substitute/",
        delegations.DelegationSubstituteView.as_view(),
        name="delegation_substitute",
    ),
    path(
        "manage/delegation/<str:reference>/cancel/",
        delegations.DelegationCancelMemberView.as_view(),
        name="delegation_cancel_member",
    ),
    path("<slug:slug>/privacy/", privacy.ConferencePrivacyNoticeView.as_view(), name="privacy"),
    path("<slug:slug>/register/", registration.RegisterView.as_view(), name="register"),
    path(
        "<slug:slug>/register/thanks/",
        registration.RegisterDoneView.as_view(),
        name="register_done",
    ),
    path("<slug:slug>/lost-link/", self_service.LostLinkView.as_view(), name="lost_link"),
    path("<slug:slug>/participants/", network_map.ParticipantsView.as_view(), name="participants"),
    path(
        "<slug:slug>/register/delegation/",
        delegations.DelegationRegisterView.as_view(),
        name="delegation_register",
    ),
    path(
        "<slug:slug>/register/delegation/thanks/",
        delegations.DelegationDoneView.as_view(),
        name="delegation_done",
    ),
    path(
        "<slug:slug>/authorities/<int:pk>/places.json",
        delegations.authority_places,
        name="authority_places",
    ),
]

# The registration desk and session doors (staff with the check-in permission).
urlpatterns += [
    path("desk/<slug:slug>/", desk.DeskView.as_view(), name="desk"),
    path("desk/<slug:slug>/scan/", desk.DeskScanView.as_view(), name="desk_scan"),
    path(
        "desk/<slug:slug>/badges/<str:reference>.pdf",
        desk.DeskBadgeView.as_view(),
        name="desk_badge",
    ),
    path(
        "desk/<slug:slug>/sessions/<int:pk>/",
        desk.DeskView.as_view(),
        name="desk_session",
    ),
]

# The delegate's badge and certificate of attendance (PDF), through their personal link.
urlpatterns += [
    path("manage/badge.pdf", documents.BadgeDownloadView.as_view(), name="manage_badge"),
    path(
        "manage/certificate.pdf",
        documents.CertificateDownloadView.as_view(),
        name="manage_certificate",
    ),
]

# Travel paperwork through the personal link: identity data for site visits, visa letters.
urlpatterns += [
    path("manage/site-visits/", travel.VisitIdentityView.as_view(), name="manage_visit_identity"),
    path("manage/visa-letter/", travel.VisaLetterView.as_view(), name="manage_visa_letter"),
    path(
        "manage/visa-letter/<int:pk>.pdf",
        travel.VisaLetterDownloadView.as_view(),
        name="manage_visa_letter_download",
    ),
]

# The delegate directory and meeting requests, through the personal link; and the signed links
# of a request's email.
urlpatterns += [
    path("manage/directory/", network.DirectoryView.as_view(), name="directory"),
    path(
        "manage/directory/listing/",
        network.DirectoryListingView.as_view(),
        name="directory_listing",
    ),
    path(
        "manage/directory/<int:pk>/meet/",
        network.MeetingRequestCreateView.as_view(),
        name="meeting_request",
    ),
    path(
        "manage/meetings/<int:pk>/<slug:action>/",
        network.MeetingActionView.as_view(),
        name="meeting_action",
    ),
    path(
        "meetings/answer/<str:token>/", network.MeetingAnswerView.as_view(), name="meeting_answer"
    ),
]
