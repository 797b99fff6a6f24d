"""How the conference app tells the app that holds registrations about changes it must act on,
without depending on it."""

from django.dispatch import Signal

# The conference's capacity was raised: free places can go to its waiting list.
conference_capacity_raised = Signal()  # conference=

# A session's places changed (its capacity, or its room when it has no capacity of its own).
session_capacity_changed = Signal()  # session=

# A session moved in time or place (`change` holds what it was and became): the delegates it
# concerns must be told.
session_moved = Signal()  # session=, change=

# Asked, under the session's row lock, how many places of a session are taken: each receiver
# answers a number (registrations: the booked places), which the programme's rules add up.
session_places_taken = Signal()  # session=
