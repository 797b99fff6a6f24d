"""The models of registrations, one module per domain; every model is importable from here, as
Django and the migrations expect."""

from registrations.models.access import (
    PRIVACY_NOTICE_VERSION,
    ConsentRecord,
    ManagementLink,
    RetiredAgendaFeed,
)
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
from registrations.models.onsite import CheckIn
from registrations.models.outbox import BulkEmail, OutboundEmail
from registrations.models.registrations import (
    Registration,
    RegistrationQuerySet,
    SessionBooking,
    new_agenda_token,
)

__all__ = [
    "EXPORT_FILTER_HELP",
    "PRIVACY_NOTICE_VERSION",
    "Authority",
    "AuthorityAllotment",
    "BulkEmail",
    "CheckIn",
    "ConsentRecord",
    "Delegation",
    "ExportFormat",
    "ExportJob",
    "ExportKind",
    "ExportRecord",
    "ManagementLink",
    "OutboundEmail",
    "Registration",
    "RegistrationQuerySet",
    "RetiredAgendaFeed",
    "SessionBooking",
    "authority_name_key",
    "new_agenda_token",
    "validate_region_code",
]
