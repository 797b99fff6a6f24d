"""The models of registrations, one module per domain; every model is importable from here, as
Django and the migrations expect."""

from registrations.models.access import (
    PRIVACY_NOTICE_VERSION,
    ConsentRecord,
    ManagementLink,
    RetiredAgendaFeed,
)
from registrations.models.api_tokens import ApiIdempotencyKey, ApiScope, ApiToken
from registrations.models.authorities import (
    Authority,
    AuthorityAllotment,
    Delegation,
    authority_name_key,
    validate_region_code,
)
from registrations.models.exports import (
    EXPORT_FILTER_HELP,
    ExportFormat,
    ExportJob,
    ExportKind,
    ExportRecord,
)
from registrations.models.identity import (
    IDENTITY_FIELDS,
    SiteVisitIdentity,
    identity_fields_required,
)
from registrations.models.network import (
    DIRECTORY_LANGUAGES,
    DIRECTORY_THEMES_MAX,
    MEETING_MESSAGE_MAX_LENGTH,
    DirectoryListing,
    MeetingRequest,
)
from registrations.models.onsite import CheckIn
from registrations.models.outbox import BulkEmail, OutboundEmail
from registrations.models.questions import (
    CHOICE_TYPES,
    Answer,
    Question,
    QuestionChoice,
    QuestionType,
)
from registrations.models.registrations import (
    Registration,
    RegistrationQuerySet,
    SessionBooking,
    new_agenda_token,
)
from registrations.models.retention import PurgeRecord, RetainedFigures, RetentionSchedule
from registrations.models.visa import VisaLetterRequest, new_visa_letter_reference
from registrations.models.webhooks import (
    WEBHOOK_SUBSCRIBABLE_EVENTS,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "CHOICE_TYPES",
    "DIRECTORY_LANGUAGES",
    "DIRECTORY_THEMES_MAX",
    "EXPORT_FILTER_HELP",
    "IDENTITY_FIELDS",
    "MEETING_MESSAGE_MAX_LENGTH",
    "PRIVACY_NOTICE_VERSION",
    "WEBHOOK_SUBSCRIBABLE_EVENTS",
    "Answer",
    "ApiIdempotencyKey",
    "ApiScope",
    "ApiToken",
    "Authority",
    "AuthorityAllotment",
    "BulkEmail",
    "CheckIn",
    "ConsentRecord",
    "Delegation",
    "DirectoryListing",
    "ExportFormat",
    "ExportJob",
    "ExportKind",
    "ExportRecord",
    "ManagementLink",
    "MeetingRequest",
    "OutboundEmail",
    "PurgeRecord",
    "Question",
    "QuestionChoice",
    "QuestionType",
    "Registration",
    "RegistrationQuerySet",
    "RetainedFigures",
    "RetentionSchedule",
    "RetiredAgendaFeed",
    "SessionBooking",
    "SiteVisitIdentity",
    "VisaLetterRequest",
    "WebhookDelivery",
    "WebhookDeliveryAttempt",
    "WebhookEndpoint",
    "WebhookEvent",
    "authority_name_key",
    "identity_fields_required",
    "new_agenda_token",
    "new_visa_letter_reference",
    "validate_region_code",
]
