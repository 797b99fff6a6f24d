"""The admin of registrations, one module per domain. Importing them registers their model admins
with the site (Django's admin autodiscovery imports this package)."""

from registrations.admin import (
    accounts,
    authorities,
    documents,
    exports,
    outbox,
    registrations,
    sessions,
)

__all__ = ["accounts", "authorities", "documents", "exports", "outbox", "registrations", "sessions"]
