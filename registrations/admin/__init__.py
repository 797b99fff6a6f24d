"""The admin of registrations, one module per domain. Importing them registers their model admins
with the site (Django's admin autodiscovery imports this package)."""

from registrations.admin import (
    accounts,
    api_tokens,
    authorities,
    documents,
    exports,
    network,
    outbox,
    questions,
    registrations,
    retention,
    sessions,
    travel,
    webhooks,
)

__all__ = [
    "accounts",
    "api_tokens",
    "authorities",
    "documents",
    "exports",
    "network",
    "outbox",
    "questions",
    "registrations",
    "retention",
    "sessions",
    "travel",
    "webhooks",
]
