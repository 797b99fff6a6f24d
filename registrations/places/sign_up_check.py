"""What registration_create reads first under the conference lock, before deciding: the
authority's places left and whether the address is registered, in one statement."""

from django.db import connection

from conference.models import Conference
from registrations.models import Authority, AuthorityAllotment, Registration

# What registration_create reads under the lock before deciding, in one statement: the
# authority's allotment (the conference's default without one of its own, from the locked
# row), its active registrations counted only when there is a limit, and the active
# registration of the address if any. SQL written once rather than a queryset compiled on every
# sign-up: compiling it cost more CPU, under the lock, than the database takes to answer; sent
# with the lock itself where it can be (conference_lock_and_read). LOWER(email) and the status
# condition are those of the unique index of active addresses, which answers the last.
# Constants of the code, not input: written into the SQL as the index's condition is.
# Parameters: authority_places_and_address_params().
_INACTIVE = ", ".join(f"'{status}'" for status in Registration.INACTIVE_STATUSES)
AUTHORITY_PLACES_AND_ADDRESS_SQL = f"""SELECT allotted.places,
    CASE WHEN allotted.places IS NULL THEN NULL ELSE (
        SELECT COUNT(*) FROM {Registration._meta.db_table}
        WHERE conference_id = %s AND authority_id = %s
            AND NOT (status IN ({_INACTIVE}))
    ) END,
    (
        SELECT id FROM {Registration._meta.db_table}
        WHERE LOWER(email) = %s AND conference_id = %s
            AND NOT (status IN ({_INACTIVE}))
        LIMIT 1
    )
FROM (
    SELECT COALESCE(
        (
            SELECT places FROM {AuthorityAllotment._meta.db_table}
            WHERE conference_id = %s AND authority_id = %s
            LIMIT 1
        ),
        (SELECT default_allotment FROM {Conference._meta.db_table} WHERE id = %s)
    ) AS places
) AS allotted
"""


def authority_places_and_address_params(
    conference_id: int, authority_id: int, email: str
) -> list[int | str]:
    """AUTHORITY_PLACES_AND_ADDRESS_SQL's parameters, in their order."""
    return [
        conference_id,
        authority_id,
        email,
        conference_id,
        conference_id,
        authority_id,
        conference_id,
    ]


def authority_places_and_address_found(row: tuple) -> tuple[int | None, int | None]:
    allotted, used, existing_id = row
    left = None if allotted is None else max(allotted - used, 0)
    return left, existing_id


def authority_places_and_address(
    conference: Conference, authority: Authority, email: str
) -> tuple[int | None, int | None]:
    """Under the conference lock: the places the authority has left (None: no limit), as
    authority_places_left counts them, and the id of the active registration of `email`
    (normalised) at the conference, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            AUTHORITY_PLACES_AND_ADDRESS_SQL,
            authority_places_and_address_params(conference.pk, authority.pk, email),
        )
        return authority_places_and_address_found(cursor.fetchone())
